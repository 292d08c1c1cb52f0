package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.flink.sink.ShardConnection;
import io.flinkpersist.persist.maintenance.CompactionOutcome;
import io.flinkpersist.persist.maintenance.MaintenanceMetrics;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.state.StateMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts the shard after the committer's commits, on one background thread next to it: a commit that finds no
 * run in progress starts one, which merges until the shard needs no more (at most {@link #MERGES_PER_RUN}), and
 * sweeps the shard for orphaned parts once every {@link #SWEEP_INTERVAL}. Never on
 * the writers' path and never failing the job: a failed run is logged and counted, and the next commit starts
 * another. Garbage collection rides on the state's rollups, whichever handle writes them.
 */
@Internal
final class CommitterMaintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitterMaintenance.class);
    /** Merges per run: bounds how long a run keeps going while commits pile up new batches. */
    static final int MERGES_PER_RUN = 16;
    /** How often a committer sweeps the shard for orphaned parts: listing it is the cost. */
    static final Duration SWEEP_INTERVAL = Duration.ofHours(1);
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final ShardConnection shard;
    private final Duration orphanGrace;
    private final ExecutorService executor;
    /** When the last sweep started (nanoTime), or null before the first. */
    private Long lastSweepNanos;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong runFailures = new AtomicLong();
    private volatile ShardMaintenance maintenance;
    /** Set on close: the run in progress finishes its merge and starts no other. */
    private volatile boolean stopping;

    CommitterMaintenance(ShardConnection shard, String shardName, Duration orphanGrace) {
        this.shard = shard;
        this.orphanGrace = orphanGrace;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "persist-maintenance-" + shardName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Registers the maintenance gauges; 0 until the first run. */
    void registerMetrics(MetricGroup metrics) {
        metrics.gauge("compactionsRequested", () -> maintenanceMetric(MaintenanceMetrics::compactionsRequested));
        metrics.gauge("compactionsApplied", () -> maintenanceMetric(MaintenanceMetrics::compactionsApplied));
        metrics.gauge("compactionsDiscarded", () -> maintenanceMetric(MaintenanceMetrics::compactionsDiscarded));
        metrics.gauge("compactionFailures", () -> maintenanceMetric(MaintenanceMetrics::compactionFailures)
                + runFailures.get());
        metrics.gauge("compactionBytesRead", () -> maintenanceMetric(MaintenanceMetrics::compactionBytesRead));
        metrics.gauge("compactionBytesWritten", () -> maintenanceMetric(MaintenanceMetrics::compactionBytesWritten));
        metrics.gauge("compactionBatchesReplaced",
                () -> maintenanceMetric(MaintenanceMetrics::compactionBatchesReplaced));
        metrics.gauge("maintenancePartsDeleted", () -> stateMetric(StateMetrics::partsDeleted));
        metrics.gauge("orphanPartsFound", () -> maintenanceMetric(MaintenanceMetrics::orphanPartsFound));
        metrics.gauge("orphanPartsDeleted", () -> maintenanceMetric(MaintenanceMetrics::orphanPartsDeleted));
        metrics.gauge("orphanBytesDeleted", () -> maintenanceMetric(MaintenanceMetrics::orphanBytesDeleted));
        metrics.gauge("maintenancePartBytesDeleted", () -> stateMetric(StateMetrics::partBytesDeleted));
    }

    /** Parts and bytes the maintenance handle's garbage collection deleted (the committer's own are counted apart). */
    private long stateMetric(ToLongFunction<StateMetrics> metric) {
        ShardMaintenance current = maintenance;
        return current == null ? 0 : metric.applyAsLong(current.stateMetrics());
    }

    private long maintenanceMetric(ToLongFunction<MaintenanceMetrics> metric) {
        ShardMaintenance current = maintenance;
        return current == null ? 0 : metric.applyAsLong(current.metrics());
    }

    /** Starts a run unless one is in progress. Called on the committer's thread after a commit. */
    void afterCommit() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            if (maintenance == null) {
                maintenance = shard.openMaintenance();
            }
            ShardMaintenance handle = maintenance;
            executor.execute(() -> run(handle));
        } catch (RuntimeException e) {
            // The commit has landed: a maintenance that cannot start waits for the next commit, never fails this one.
            running.set(false);
            runFailures.incrementAndGet();
            LOG.warn("Could not start compacting the shard after a commit; the next commit retries: {}", e.toString());
        }
    }

    private void run(ShardMaintenance handle) {
        try {
            int merges = 0;
            while (merges < MERGES_PER_RUN && !stopping) {
                List<CompactionOutcome> outcomes = handle.compact(1);
                if (outcomes.isEmpty()) {
                    break;
                }
                merges++;
            }
            if (merges == MERGES_PER_RUN) {
                LOG.info("Shard {} still needs merges after {} in one run; the next commit starts another",
                        handle.shardId(), MERGES_PER_RUN);
            }
            if (!stopping && (lastSweepNanos == null || System.nanoTime() - lastSweepNanos >= SWEEP_INTERVAL.toNanos())) {
                lastSweepNanos = System.nanoTime();
                handle.sweepOrphans(orphanGrace);
            }
        } catch (RuntimeException e) {
            runFailures.incrementAndGet();
            LOG.warn("Compacting shard {} failed; the shard is unchanged by the failed merge and the next commit "
                    + "retries: {}", handle.shardId(), e.toString());
        } finally {
            running.set(false);
        }
    }

    /**
     * Lets the merge in progress finish (an interrupted one would leave its output's parts in blob, referenced by
     * nothing) and starts no other; interrupts it only if it takes longer than {@link #CLOSE_WAIT_SECONDS}.
     */
    @Override
    public void close() {
        stopping = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("A merge of a shard did not finish within {} s of the committer closing: interrupted; its "
                        + "output is left to the orphan sweep", CLOSE_WAIT_SECONDS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
