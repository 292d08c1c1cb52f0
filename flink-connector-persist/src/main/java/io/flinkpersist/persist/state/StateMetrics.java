package io.flinkpersist.persist.state;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What one handle's state transitions cost and what the shard's state holds, as this handle last saw it. The
 * diff figures are per committed version: they stay flat however old the shard is; the rollup figures are paid
 * once per rollup threshold.
 */
public final class StateMetrics {
    private final Supplier<ShardState> latest;
    private final AtomicLong diffsWritten = new AtomicLong();
    private final AtomicLong diffBytesWritten = new AtomicLong();
    private final AtomicLong lastDiffBytes = new AtomicLong();
    private final AtomicLong rollupsWritten = new AtomicLong();
    private final AtomicLong rollupBytesWritten = new AtomicLong();
    private final AtomicLong lastRollupBytes = new AtomicLong();
    private final AtomicLong rollupNanos = new AtomicLong();
    private final AtomicLong rollupFailures = new AtomicLong();
    private final AtomicLong rollupsDeleted = new AtomicLong();
    private final AtomicLong versionsTruncated = new AtomicLong();
    private final AtomicLong diffsApplied = new AtomicLong();
    private final AtomicLong partsDeleted = new AtomicLong();
    private final AtomicLong partBytesDeleted = new AtomicLong();

    StateMetrics(Supplier<ShardState> latest) {
        this.latest = latest;
    }

    void diffWritten(long bytes) {
        diffsWritten.incrementAndGet();
        diffBytesWritten.addAndGet(bytes);
        lastDiffBytes.set(bytes);
    }

    void rollupWritten(long bytes, long nanos) {
        rollupsWritten.incrementAndGet();
        rollupBytesWritten.addAndGet(bytes);
        lastRollupBytes.set(bytes);
        rollupNanos.addAndGet(nanos);
    }

    void rollupRead(long bytes) {
        lastRollupBytes.set(bytes);
    }

    void diffApplied() {
        diffsApplied.incrementAndGet();
    }

    void rollupFailed() {
        rollupFailures.incrementAndGet();
    }

    void rollupDeleted() {
        rollupsDeleted.incrementAndGet();
    }

    void partDeleted(long bytes) {
        partsDeleted.incrementAndGet();
        partBytesDeleted.addAndGet(bytes);
    }

    void versionsTruncated(long versions) {
        versionsTruncated.addAndGet(versions);
    }

    /** State diffs this handle committed to consensus. */
    public long diffsWritten() {
        return diffsWritten.get();
    }

    /** Bytes of the state diffs this handle committed. */
    public long diffBytesWritten() {
        return diffBytesWritten.get();
    }

    /** Bytes of the last state diff this handle committed. */
    public long lastDiffBytes() {
        return lastDiffBytes.get();
    }

    /** Rollups this handle wrote to blob. */
    public long rollupsWritten() {
        return rollupsWritten.get();
    }

    /** Bytes of the rollups this handle wrote. */
    public long rollupBytesWritten() {
        return rollupBytesWritten.get();
    }

    /** Nanoseconds this handle spent encoding and writing rollups: the part of its commits' cost that grows with the state. */
    public long rollupNanos() {
        return rollupNanos.get();
    }

    /** The size of the whole state: the encoded size of the newest rollup this handle wrote or read. */
    public long stateBytes() {
        return lastRollupBytes.get();
    }

    /** Rollups this handle was assigned but could not write or link (another transition is assigned it later). */
    public long rollupFailures() {
        return rollupFailures.get();
    }

    /** Rollups this handle deleted once a newer one made them unneeded. */
    public long rollupsDeleted() {
        return rollupsDeleted.get();
    }

    /**
     * Diffs this handle read and applied to a state it held or to a rollup it read: opening a handle applies the
     * diffs after the newest rollup (about a rollup threshold of them at most), a handle that keeps up only the new
     * ones.
     */
    public long diffsApplied() {
        return diffsApplied.get();
    }

    /** Consensus versions this handle truncated. */
    public long versionsTruncated() {
        return versionsTruncated.get();
    }

    /** Blob parts this handle's garbage collection deleted: replaced parts no retained version references. */
    public long partsDeleted() {
        return partsDeleted.get();
    }

    /** Bytes of the blob parts this handle's garbage collection deleted. */
    public long partBytesDeleted() {
        return partBytesDeleted.get();
    }

    /**
     * How far the shard's since is behind its upper, in its time unit: the history a snapshot can still read. 0 for
     * a shard without data or closed.
     */
    public long sinceLag() {
        ShardState state = latest.get();
        if (state.upper().isEmpty() || state.since().isEmpty()) {
            return 0;
        }
        return Math.max(0, state.upper().element().getAsLong() - state.since().element().getAsLong());
    }

    /** Batches in the shard. */
    public long batches() {
        return latest.get().batches().size();
    }

    /** Bytes of updates held inline in the shard's state. */
    public long inlineBytes() {
        return latest.get().inlineBytes();
    }

    /**
     * Consensus versions the shard still needs: from its oldest recorded rollup to its latest version; older
     * versions are truncated once no reader holds them.
     */
    public long versionsHeld() {
        ShardState state = latest.get();
        return state.rollups().isEmpty() ? 1 : state.seqNo().value() - state.rollups().firstKey().value() + 1;
    }
}
