package io.flinkpersist.persist.state;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.ShardId;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies commands to one shard's state in consensus: read the head, compute the next state, compare-and-set
 * it at seqno + 1; on a lost race, read the new head and compute again. An indeterminate compare-and-set is
 * resolved by reading the head again and re-running the command, told that its earlier write may have
 * landed.
 */
public final class Applier {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    /** How often (in versions) old versions are deleted. */
    static final long TRUNCATE_EVERY = 32;

    private final ShardId shardId;
    private final Consensus consensus;
    private final Codecs codecs;
    private final BuildVersion version;
    private final LongSupplier clockMs;
    private final RetryPolicy indeterminateRetries;
    private volatile ShardState cached;

    /**
     * Opens the shard, creating it (upper = since = [0]) if it does not exist yet.
     *
     * @throws InvalidUsageException.CodecMismatch if the shard was created with other codecs
     */
    public Applier(ShardId shardId, Consensus consensus, Codecs codecs, BuildVersion version, LongSupplier clockMs,
            RetryPolicy indeterminateRetries) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        this.codecs = Objects.requireNonNull(codecs, "codecs");
        this.version = Objects.requireNonNull(version, "version");
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
        this.indeterminateRetries = Objects.requireNonNull(indeterminateRetries, "indeterminateRetries");
        this.cached = fetchOrInitialize();
        if (!cached.codecs().equals(codecs)) {
            throw new InvalidUsageException.CodecMismatch(shardId, cached.codecs().toString(), codecs.toString());
        }
    }

    public ShardId shardId() {
        return shardId;
    }

    /** The state this applier last saw; may be stale. */
    public ShardState cached() {
        return cached;
    }

    /** The latest state in consensus. */
    public ShardState fetch() {
        cached = fetchOrInitialize();
        return cached;
    }

    public long nowMs() {
        return clockMs.getAsLong();
    }

    private ShardState fetchOrInitialize() {
        while (true) {
            Optional<VersionedData> head = consensus.head(shardId.toString());
            if (head.isPresent()) {
                ShardState state = StateCodec.decode(shardId, head.get().data());
                if (!state.seqNo().equals(head.get().seqNo())) {
                    throw new IllegalStateException("consensus version " + head.get().seqNo() + " of shard " + shardId
                            + " holds a state stamped " + state.seqNo());
                }
                return state;
            }
            ShardState initial = ShardState.initial(shardId, codecs, version, clockMs.getAsLong());
            try {
                if (consensus.compareAndSet(shardId.toString(), Optional.empty(),
                        new VersionedData(initial.seqNo(), StateCodec.encode(initial))) == CasResult.COMMITTED) {
                    LOG.info("Created shard {} with codecs {}", shardId, codecs);
                    return initial;
                }
            } catch (ExternalException e) {
                if (e.isDeterminate()) {
                    throw e;
                }
                // Whether or not it landed, the head tells: loop.
            }
        }
    }

    /** Runs {@code command} until it answers or its write is committed, and returns its result. */
    public <R> R apply(String name, StateCommand<R> command) {
        ShardState current = cached;
        boolean afterIndeterminate = false;
        int indeterminateFailures = 0;
        while (true) {
            Transition<R> transition = command.apply(current, afterIndeterminate);
            if (transition instanceof Transition.Answer<R> answer) {
                return answer.result();
            }
            ShardState next = ((Transition.Write<R>) transition).next().nextVersion(clockMs.getAsLong(), version);
            CasResult result;
            try {
                result = consensus.compareAndSet(shardId.toString(), Optional.of(current.seqNo()),
                        new VersionedData(next.seqNo(), StateCodec.encode(next)));
            } catch (ExternalException e) {
                if (e.isDeterminate() || ++indeterminateFailures >= indeterminateRetries.maxAttempts()) {
                    throw e;
                }
                LOG.info("{} on shard {}: compare-and-set at {} was indeterminate, re-reading state ({})",
                        name, shardId, next.seqNo(), e.getMessage());
                afterIndeterminate = true;
                sleep(indeterminateRetries.jitteredBackoff(indeterminateFailures).toMillis());
                current = fetch();
                continue;
            }
            if (result == CasResult.COMMITTED) {
                cached = next;
                maybeTruncate(next);
                return transition.result();
            }
            current = fetch();
        }
    }

    /**
     * Every {@value #TRUNCATE_EVERY} versions, the writer of a version deletes the versions no reader holds:
     * each version is a full state, so the log would otherwise grow without bound. Best effort: a failure
     * only delays it to the next round.
     */
    private void maybeTruncate(ShardState committed) {
        long seqNo = committed.seqNo().value();
        if (seqNo % TRUNCATE_EVERY != 0) {
            return;
        }
        long keepFrom = committed.readers().values().stream()
                .mapToLong(r -> r.seqNoHold().value())
                .min()
                .orElse(seqNo);
        keepFrom = Math.min(keepFrom, seqNo);
        try {
            long deleted = consensus.truncate(shardId.toString(), io.flinkpersist.persist.ids.SeqNo.of(keepFrom));
            LOG.debug("Truncated {} versions of shard {} below v{}", deleted, shardId, keepFrom);
        } catch (RuntimeException e) {
            LOG.debug("Truncating shard {} below v{} failed; the next round will retry", shardId, keepFrom, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a state transition", e);
        }
    }
}
