package io.flinkpersist.flink.source;

import io.flinkpersist.persist.read.KeyRange;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One key range of the shard and how far it was read: the snapshot as of {@code asOf} (while
 * {@code snapshotPending}), then the changes at times from {@code frontier} on (as-of + 1 at first). A step (the snapshot, or
 * one batch's changes) read in part records its {@code stepUpper} and the last update emitted, {@code resume}: a
 * restored reader reads exactly that step again and skips what was emitted.
 */
@Internal
public final class PersistSplit implements SourceSplit {
    /** No step in progress. */
    public static final long NO_STEP = Long.MIN_VALUE;

    private final String id;
    private final KeyRange keys;
    private final long asOf;
    private final boolean snapshotPending;
    private final boolean bounded;
    private final long frontier;
    private final long stepUpper;
    private final Update resume;

    /** The last update a step emitted: its key, value and time (the as-of time in a snapshot). */
    public record Update(byte[] key, byte[] value, long time) {
        public Update {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Update u && Arrays.equals(key, u.key) && Arrays.equals(value, u.value) && time == u.time;
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), time);
        }
    }

    public PersistSplit(String id, KeyRange keys, long asOf, boolean snapshotPending, boolean bounded, long frontier,
            long stepUpper, Update resume) {
        this.id = Objects.requireNonNull(id, "id");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.asOf = asOf;
        this.snapshotPending = snapshotPending;
        this.bounded = bounded;
        this.frontier = frontier;
        this.stepUpper = stepUpper;
        this.resume = resume;
    }

    /** A split that reads the snapshot of {@code keys} as of {@code asOf} and, unless bounded, the changes after it. */
    public static PersistSplit snapshot(String id, KeyRange keys, long asOf, boolean bounded) {
        return new PersistSplit(id, keys, asOf, true, bounded, asOf + 1, NO_STEP, null);
    }

    /** A split that reads the changes to {@code keys} after {@code asOf}. */
    public static PersistSplit changesAfter(String id, KeyRange keys, long asOf) {
        return new PersistSplit(id, keys, asOf, false, false, asOf + 1, NO_STEP, null);
    }

    @Override
    public String splitId() {
        return id;
    }

    public KeyRange keys() {
        return keys;
    }

    public long asOf() {
        return asOf;
    }

    public boolean snapshotPending() {
        return snapshotPending;
    }

    public boolean bounded() {
        return bounded;
    }

    /** The least time whose changes are still to be read, once the snapshot is read: as-of + 1 at first. */
    public long frontier() {
        return frontier;
    }

    public long stepUpper() {
        return stepUpper;
    }

    public Update resume() {
        return resume;
    }

    /**
     * What the shard's since must not pass while this split is read: the as-of time of a snapshot still to read,
     * then the last time of the changes read (compaction advances the times below the since to it, so a since past
     * it would bring times already read back as changes at the since). Negative when nothing needs holding.
     */
    public long sinceHold() {
        return snapshotPending ? asOf : frontier - 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PersistSplit s && id.equals(s.id) && keys.equals(s.keys) && asOf == s.asOf
                && snapshotPending == s.snapshotPending && bounded == s.bounded && frontier == s.frontier
                && stepUpper == s.stepUpper && Objects.equals(resume, s.resume);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, keys, asOf, snapshotPending, frontier, stepUpper);
    }

    @Override
    public String toString() {
        return "PersistSplit{" + id + " " + keys + (snapshotPending ? ", snapshot as of " + asOf
                : ", changes after " + asOf + " from " + frontier) + (stepUpper != NO_STEP ? ", in the step to "
                + stepUpper : "") + (resume != null ? ", resuming after an update at " + resume.time() : "") + "}";
    }
}
