package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.flink.sink.ShardConnection;
import io.flinkpersist.persist.maintenance.CompactionRequest;
import io.flinkpersist.persist.maintenance.MaintenanceMetrics;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.state.StateMetrics;
import io.flinkpersist.persist.time.Frontier;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts the shard after the committer's commits, on background threads next to it: a commit that finds no run in
 * progress starts one, which merges until the shard needs no more (at most {@link #MERGES_PER_RUN}), and sweeps the
 * shard for orphaned parts once every {@link #SWEEP_INTERVAL}. A commit that finds that run busy with a merge starts
 * a second run, if none is going, which merges only the batches newer than that merge's inputs: a long merge of the
 * shard's oldest data (minutes, on a large shard) does not let the batches of the commits meanwhile pile up. Never on
 * the writers' path and never failing the job: a failed run is logged and counted, and the next commit starts
 * another. Garbage collection rides on the state's rollups, whichever handle writes them. Once the sink's input has
 * ended, merges stop and delete what they wrote, so that a bounded job does not wait for them to end.
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
    private final String shardName;
    private final Duration orphanGrace;
    /** Whether a second run may merge the newest batches while the first one merges. */
    private final boolean newestRuns;
    private final ExecutorService executor;
    /** When the last sweep started (nanoTime), or null before the first. */
    private Long lastSweepNanos;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean newestRunning = new AtomicBoolean();
    /** The upper of the merge the first run is doing, or null between its merges. */
    private final AtomicReference<Frontier> inProgressUpper = new AtomicReference<>();
    /**
     * Held by the second run through each of its merges, and by the first while it plans one: the first never plans
     * over the inputs of a merge of the newest batches in progress, which would make one of the two lose.
     */
    private final Object planning = new Object();
    private final AtomicLong runFailures = new AtomicLong();
    private volatile ShardMaintenance maintenance;
    /** The second run's own handle: a handle's state is not shared between threads. */
    private volatile ShardMaintenance newestMaintenance;
    /** Whether the shard's history hold is known to be registered (see ShardMaintenance.holdHistory). */
    private volatile boolean historyHeld;
    /** Set on close: the runs in progress finish their merges and start no other. */
    private volatile boolean stopping;
    /**
     * Set while the sink's last committable (every writer at the end of its input) is committed and after: the merges
     * in progress stop, deleting what they wrote, and none starts, so that a bounded job's end does not wait for a
     * merge of its shard. The next job that writes the shard merges it.
     */
    private volatile boolean inputEnded;

    /** @param concurrency merges at once: 1, or 2 with a run over the newest batches */
    CommitterMaintenance(ShardConnection shard, String shardName, Duration orphanGrace, int concurrency) {
        this.shard = shard;
        this.shardName = shardName;
        this.orphanGrace = orphanGrace;
        this.newestRuns = concurrency > 1;
        this.executor = Executors.newFixedThreadPool(concurrency, r -> {
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
        metrics.gauge("newestBatchCompactionsApplied", () -> {
            ShardMaintenance second = newestMaintenance;
            return second == null ? 0 : second.metrics().compactionsApplied();
        });
        metrics.gauge("maintenancePartsDeleted", () -> stateMetric(StateMetrics::partsDeleted));
        metrics.gauge("orphanPartsFound", () -> maintenanceMetric(MaintenanceMetrics::orphanPartsFound));
        metrics.gauge("orphanPartsDeleted", () -> maintenanceMetric(MaintenanceMetrics::orphanPartsDeleted));
        metrics.gauge("orphanBytesDeleted", () -> maintenanceMetric(MaintenanceMetrics::orphanBytesDeleted));
        metrics.gauge("maintenancePartBytesDeleted", () -> stateMetric(StateMetrics::partBytesDeleted));
    }

    /** Parts and bytes the maintenance handles' garbage collection deleted (the committer's own are counted apart). */
    private long stateMetric(ToLongFunction<StateMetrics> metric) {
        return sum(handle -> metric.applyAsLong(handle.stateMetrics()));
    }

    private long maintenanceMetric(ToLongFunction<MaintenanceMetrics> metric) {
        return sum(handle -> metric.applyAsLong(handle.metrics()));
    }

    private long sum(ToLongFunction<ShardMaintenance> metric) {
        ShardMaintenance first = maintenance;
        ShardMaintenance second = newestMaintenance;
        return (first == null ? 0 : metric.applyAsLong(first)) + (second == null ? 0 : metric.applyAsLong(second));
    }

    /**
     * Starts a run unless one is in progress, or else a run over the newest batches if the first is merging and
     * no such run is going. Called on the committer's thread after a commit. After the end of input a run only
     * registers the history hold, if it is not yet known to be, and sweeps orphans if due: a shard written by bounded
     * jobs alone keeps its history retention and loses its orphans too.
     */
    void afterCommit() {
        if (running.compareAndSet(false, true)) {
            start(running, () -> {
                if (maintenance == null) {
                    maintenance = shard.openMaintenance();
                }
                ShardMaintenance handle = maintenance;
                return () -> run(handle);
            });
        } else if (newestRuns && inProgressUpper.get() != null && newestRunning.compareAndSet(false, true)) {
            start(newestRunning, () -> {
                if (newestMaintenance == null) {
                    newestMaintenance = shard.openMaintenance();
                }
                ShardMaintenance handle = newestMaintenance;
                return () -> runNewest(handle);
            });
        }
    }

    /**
     * Whether the committable about to be committed is the sink's last (see {@link #inputEnded}). Not for good: a job
     * restored from a savepoint taken at the end of input (stop-with-savepoint {@code --drain}) replays that
     * committable, and its own committables after it let merges start again.
     */
    void inputEnded(boolean ended) {
        if (ended != inputEnded) {
            inputEnded = ended;
            if (ended) {
                LOG.info("The input of the sink writing shard {} has ended: merges in progress stop and none starts",
                        shardName);
            } else {
                LOG.info("The sink writing shard {} commits again after the end of its input: merges resume",
                        shardName);
            }
        }
    }

    private boolean halted() {
        return stopping || inputEnded;
    }

    private void start(AtomicBoolean flag, Supplier<Runnable> run) {
        try {
            executor.execute(run.get());
        } catch (RuntimeException e) {
            // The commit has landed: a maintenance that cannot start waits for the next commit, never fails this one.
            flag.set(false);
            runFailures.incrementAndGet();
            LOG.warn("Could not start compacting the shard after a commit; the next commit retries: {}", e.toString());
        }
    }

    private void run(ShardMaintenance handle) {
        try {
            if (!historyHeld) {
                handle.holdHistory();
                historyHeld = true;
            }
            int merges = 0;
            while (merges < MERGES_PER_RUN && !halted()) {
                Optional<CompactionRequest> request;
                synchronized (planning) {
                    request = handle.nextMerge(Frontier.MINIMUM);
                    if (request.isEmpty()) {
                        break;
                    }
                    inProgressUpper.set(request.get().desc().upper());
                }
                try {
                    handle.compact(request.get(), () -> inputEnded);
                } finally {
                    inProgressUpper.set(null);
                }
                merges++;
            }
            if (merges == MERGES_PER_RUN) {
                LOG.info("Shard {} still needs merges after {} in one run; the next commit starts another",
                        handle.shardId(), MERGES_PER_RUN);
            }
            // Also after the end of input, even while closing: a shard written only by bounded jobs is swept by
            // them or never, and a sweep is one listing, not a merge.
            if ((!stopping || inputEnded) && (lastSweepNanos == null || System.nanoTime() - lastSweepNanos >= SWEEP_INTERVAL.toNanos())) {
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

    /** Merges the batches newer than the first run's merge while that one lasts. */
    private void runNewest(ShardMaintenance handle) {
        try {
            int merges = 0;
            while (merges < MERGES_PER_RUN && !halted()) {
                synchronized (planning) {
                    Frontier from = inProgressUpper.get();
                    Optional<CompactionRequest> request = from == null ? Optional.empty() : handle.nextMerge(from);
                    if (request.isEmpty()) {
                        break;
                    }
                    handle.compact(request.get(), () -> inputEnded);
                }
                merges++;
            }
        } catch (RuntimeException e) {
            runFailures.incrementAndGet();
            LOG.warn("Compacting the newest batches of shard {} failed; the shard is unchanged by the failed merge and "
                    + "the next commit retries: {}", handle.shardId(), e.toString());
        } finally {
            newestRunning.set(false);
        }
    }

    /**
     * Lets the merge in progress finish (a failover or a cancellation would otherwise lose its work, and a shard whose
     * job keeps failing over would never be merged) and starts no other; after the end of input the merge has
     * stopped already. Interrupts it only if it takes longer than {@link #CLOSE_WAIT_SECONDS}, leaving its output to
     * the orphan sweep.
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
