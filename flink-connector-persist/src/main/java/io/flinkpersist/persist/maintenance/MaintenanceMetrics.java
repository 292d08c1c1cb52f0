package io.flinkpersist.persist.maintenance;

import java.util.concurrent.atomic.AtomicLong;

/** What a shard's maintenance did: thread-safe counters, for gauges and tests. */
public final class MaintenanceMetrics {
    private final AtomicLong compactionsRequested = new AtomicLong();
    private final AtomicLong compactionsApplied = new AtomicLong();
    private final AtomicLong compactionsDiscarded = new AtomicLong();
    private final AtomicLong compactionFailures = new AtomicLong();
    private final AtomicLong compactionBatchesReplaced = new AtomicLong();
    private final AtomicLong compactionBytesRead = new AtomicLong();
    private final AtomicLong compactionBytesWritten = new AtomicLong();
    private final AtomicLong compactionPasses = new AtomicLong();
    private final AtomicLong compactionNanos = new AtomicLong();
    private final AtomicLong sinceAdvances = new AtomicLong();
    private final AtomicLong orphanSweeps = new AtomicLong();
    private final AtomicLong orphanPartsFound = new AtomicLong();
    private final AtomicLong orphanPartsDeleted = new AtomicLong();
    private final AtomicLong orphanBytesDeleted = new AtomicLong();

    void requested() {
        compactionsRequested.incrementAndGet();
    }

    void applied(int inputs, long bytesRead, long bytesWritten, int passes, long nanos) {
        compactionsApplied.incrementAndGet();
        compactionBatchesReplaced.addAndGet(inputs);
        compactionBytesRead.addAndGet(bytesRead);
        compactionBytesWritten.addAndGet(bytesWritten);
        compactionPasses.addAndGet(passes);
        compactionNanos.addAndGet(nanos);
    }

    void discarded() {
        compactionsDiscarded.incrementAndGet();
    }

    void failed() {
        compactionFailures.incrementAndGet();
    }

    void swept(OrphanSweepResult result) {
        orphanSweeps.incrementAndGet();
        orphanPartsFound.addAndGet(result.unreferenced());
        orphanPartsDeleted.addAndGet(result.deleted());
        orphanBytesDeleted.addAndGet(result.deletedBytes());
    }

    void sinceAdvanced() {
        sinceAdvances.incrementAndGet();
    }

    /** Merges the policy asked for that this maintenance started. */
    public long compactionsRequested() {
        return compactionsRequested.get();
    }

    /** Merges whose output replaced their inputs in the shard. */
    public long compactionsApplied() {
        return compactionsApplied.get();
    }

    /** Merges whose inputs had changed by the time they finished (another compactor's): their output was deleted. */
    public long compactionsDiscarded() {
        return compactionsDiscarded.get();
    }

    /** Merges that failed (blob or consensus errors); the shard is unchanged and a later maintenance retries. */
    public long compactionFailures() {
        return compactionFailures.get();
    }

    /** Batches the applied merges replaced. */
    public long compactionBatchesReplaced() {
        return compactionBatchesReplaced.get();
    }

    /** Encoded bytes of the parts the applied merges read. */
    public long compactionBytesRead() {
        return compactionBytesRead.get();
    }

    /** Encoded bytes of the parts the applied merges wrote (their outputs, not counting intermediate passes). */
    public long compactionBytesWritten() {
        return compactionBytesWritten.get();
    }

    /** Merge passes: one per merge whose runs fit the memory bound, more for those that did not. */
    public long compactionPasses() {
        return compactionPasses.get();
    }

    /** Time the applied merges took, reading, merging, writing and applying. */
    public long compactionNanos() {
        return compactionNanos.get();
    }

    /** Orphan sweeps this maintenance ran. */
    public long orphanSweeps() {
        return orphanSweeps.get();
    }

    /** Unreferenced parts the sweeps found, young ones included (each sweep counts them again). */
    public long orphanPartsFound() {
        return orphanPartsFound.get();
    }

    /** Orphaned parts the sweeps deleted. */
    public long orphanPartsDeleted() {
        return orphanPartsDeleted.get();
    }

    /** Bytes of the orphaned parts the sweeps deleted. */
    public long orphanBytesDeleted() {
        return orphanBytesDeleted.get();
    }

    /** Times this maintenance moved the shard's since forward. */
    public long sinceAdvances() {
        return sinceAdvances.get();
    }
}
