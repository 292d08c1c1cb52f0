package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.ids.SeqNo;
import java.util.List;
import java.util.Optional;

/**
 * A linearizable, totally ordered log of {@link VersionedData} per key, with compare-and-set: persist's
 * consensus. The key is a shard id; each version is one state of that shard.
 *
 * <p>Every method may throw {@link io.flinkpersist.persist.external.ExternalException}; an
 * {@linkplain io.flinkpersist.persist.external.Determinacy#INDETERMINATE indeterminate} failure of
 * {@link #compareAndSet} may have committed and must be resolved by reading the key again.
 */
public interface Consensus extends AutoCloseable {
    /** The largest {@code sequence_number} a version may have (versions are SQL {@code bigint}). */
    long SCAN_ALL = Long.MAX_VALUE;

    /** A recent version of the key (the latest one for every implementation here), or empty if it has none. */
    Optional<VersionedData> head(String key);

    /**
     * Writes {@code next} iff the key's latest version is {@code expected} (empty: the key has no versions).
     *
     * <p>{@code next.seqNo()} must be {@code expected.next()}, or any seqno when {@code expected} is empty;
     * anything else is rejected with an {@link IllegalArgumentException}. Versions are therefore contiguous,
     * which is what lets implementations decide the race with a unique key.
     */
    CasResult compareAndSet(String key, Optional<SeqNo> expected, VersionedData next);

    /**
     * Up to {@code limit} versions with seqno {@code >= from}, ascending; empty if there are none.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    List<VersionedData> scan(String key, SeqNo from, int limit);

    /**
     * Deletes every version below {@code seqNo} and returns how many were deleted.
     *
     * @throws IllegalArgumentException if {@code seqNo} is above the head, or the key has no versions: the
     *     head itself is never deleted
     */
    long truncate(String key, SeqNo seqNo);

    /** Every key that has versions. */
    List<String> listKeys();

    @Override
    void close();
}
