package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.flink.sink.ShardConnection;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.state.StateMetrics;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.ExpiredCommitMarkerException;
import io.flinkpersist.persist.write.WriteHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each aggregated committable with one compare-and-append at {@code ts = max(shard upper, now)},
 * recording its {@link io.flinkpersist.persist.write.CommitMarker} in the same compare-and-set, so that a replay
 * (after a failure or a restore) is recognised by the shard itself. Committables commit in checkpoint order.
 *
 * <p>A lost race (another writer moved the upper) is not waited out on the task thread: the request asks Flink to
 * retry later, which Flink does at once, up to its {@code sink.committer.retries}, with the upper the lost race
 * reported. After {@link PersistSinkConfig#commitRetries()} lost races for one committable the job fails and
 * restarts from its last checkpoint, which replays the committable.
 */
@Internal
public final class PersistCommitter implements Committer<PersistCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(PersistCommitter.class);

    private final PersistSinkConfig config;
    private final Counter commits;
    private final Counter alreadyCommitted;
    private final Counter conflicts;
    private final Counter committedRecords;
    private final Counter committedBytes;
    private final AtomicLong lastCommitDurationMs = new AtomicLong();
    private final AtomicLong caughtUpAtMs = new AtomicLong(System.currentTimeMillis());
    private final AtomicLong shardUpper = new AtomicLong(-1);
    private final AtomicLong shardMarkers = new AtomicLong();
    private final ShardConnection shard;
    /** Null when compaction is off. */
    private final CommitterMaintenance maintenance;
    private volatile StateMetrics stateMetrics;
    /** The upper a lost race reported, for the retry of the same committable; null to read it from the shard. */
    private Frontier reportedUpper;
    private PersistCommittable racing;
    private int lostRaces;

    public PersistCommitter(PersistSinkConfig config, SinkCommitterMetricGroup metrics) {
        this.config = config;
        this.shard = new ShardConnection(config);
        this.maintenance = config.compaction() ? new CommitterMaintenance(shard, config.shardId().toString(),
                config.orphanGrace(), config.compactionConcurrency()) : null;
        this.commits = metrics.counter("commits");
        this.alreadyCommitted = metrics.counter("alreadyCommitted");
        this.conflicts = metrics.counter("conflicts");
        this.committedRecords = metrics.counter("committedRecords");
        this.committedBytes = metrics.counter("committedBytes");
        metrics.gauge("lastCommitDurationMs", lastCommitDurationMs::get);
        // Since the committer last finished a checkpoint's committable, including the empty one of a checkpoint
        // in which nothing was written: an idle job stays near 0, and an alert threshold needs no special case.
        metrics.gauge("elapsedSecondsSinceLastSuccessfulCommit",
                () -> (System.currentTimeMillis() - caughtUpAtMs.get()) / 1000);
        // The shard's upper as this committer last saw it; -1 before the first commit, -2 once closed.
        metrics.gauge("shardUpper", shardUpper::get);
        // Runs the shard still remembers: bounded by the marker retention, however often the job restarts.
        metrics.gauge("shardCommitMarkers", shardMarkers::get);
        // The shard's state as this committer last saw it, and what its transitions cost; 0 before the first commit.
        metrics.gauge("shardBatches", () -> stateMetric(StateMetrics::batches));
        metrics.gauge("shardInlineBytes", () -> stateMetric(StateMetrics::inlineBytes));
        metrics.gauge("shardStateBytes", () -> stateMetric(StateMetrics::stateBytes));
        metrics.gauge("shardConsensusVersions", () -> stateMetric(StateMetrics::versionsHeld));
        metrics.gauge("lastStateDiffBytes", () -> stateMetric(StateMetrics::lastDiffBytes));
        metrics.gauge("stateDiffBytesWritten", () -> stateMetric(StateMetrics::diffBytesWritten));
        metrics.gauge("stateRollupsWritten", () -> stateMetric(StateMetrics::rollupsWritten));
        metrics.gauge("stateRollupBytesWritten", () -> stateMetric(StateMetrics::rollupBytesWritten));
        metrics.gauge("stateRollupFailures", () -> stateMetric(StateMetrics::rollupFailures));
        // How far back a snapshot can read: the history retention once compaction moved the since.
        metrics.gauge("shardSinceLag", () -> stateMetric(StateMetrics::sinceLag));
        // Parts the committer's own garbage collection deleted (it writes most rollups, so it collects most).
        metrics.gauge("committerPartsDeleted", () -> stateMetric(StateMetrics::partsDeleted));
        if (maintenance != null) {
            maintenance.registerMetrics(metrics);
        }
    }

    private long stateMetric(ToLongFunction<StateMetrics> metric) {
        StateMetrics current = stateMetrics;
        return current == null ? 0 : metric.applyAsLong(current);
    }

    @Override
    public void commit(Collection<CommitRequest<PersistCommittable>> requests) {
        List<CommitRequest<PersistCommittable>> ordered = new ArrayList<>(requests);
        ordered.sort(Comparator.comparingLong(r -> r.getCommittable().checkpointId()));
        boolean waiting = false;
        for (CommitRequest<PersistCommittable> request : ordered) {
            if (waiting) {
                // A later checkpoint never lands before an earlier one.
                request.retryLater();
            } else {
                waiting = !commit(request);
            }
        }
    }

    /** One attempt; false if the request must be retried (or has failed the job). */
    private boolean commit(CommitRequest<PersistCommittable> request) {
        PersistCommittable committable = request.getCommittable();
        if (maintenance != null) {
            // Before the append: the last committable's commit starts no merge that the job's end would wait for.
            maintenance.inputEnded(committable.endOfInput());
        }
        if (committable.batches().isEmpty()) {
            caughtUpAtMs.set(System.currentTimeMillis());
            return true;
        }
        if (racing == null || !racing.committer().equals(committable.committer())
                || racing.checkpointId() != committable.checkpointId()) {
            racing = committable;
            lostRaces = 0;
            reportedUpper = null;
        }
        WriteHandle writer = shard.writer();
        stateMetrics = writer.stateMetrics();
        long start = System.nanoTime();
        List<Batch> batches = new ArrayList<>(committable.batches().size());
        try {
            // Every batch is checked before anything is appended: one bad batch refuses the whole checkpoint.
            for (byte[] transmittable : committable.batches()) {
                batches.add(writer.batchFromTransmittable(transmittable));
            }
        } catch (InvalidUsageException e) {
            OptionalLong recorded = writer.fetchMarker(committable.committer());
            if (recorded.isPresent() && recorded.getAsLong() >= committable.checkpointId()) {
                // A replay of a committed checkpoint: compaction may have collected its parts since, and nothing
                // of it is appended again.
                batches.forEach(Batch::markConsumed);
                return alreadyCommitted(request, committable);
            }
            return refuse(request, committable, batches, e);
        }
        Frontier upper = reportedUpper != null ? reportedUpper : writer.fetchRecentUpper();
        if (upper.isEmpty()) {
            return fail(request, committable, upper, batches, "the shard is closed (its upper is empty)");
        }
        long ts = Math.max(upper.element().getAsLong(), System.currentTimeMillis());
        AppendResult result;
        try {
            // rewriteTs is metadata only: a retry moves the same parts to a newer time.
            batches.forEach(b -> b.rewriteTs(Frontier.of(ts), Frontier.of(ts + 1)));
            // A fresh token per attempt: the marker is what recognises an append that already landed.
            result = writer.compareAndAppend(batches, upper, Frontier.of(ts + 1), IdempotencyToken.random(),
                    committable.marker(config.markerRetention()));
        } catch (ExpiredCommitMarkerException e) {
            batches.forEach(Batch::markConsumed);
            request.signalFailedWithUnknownReason(e);
            return false;
        } catch (InvalidUsageException e) {
            return refuse(request, committable, batches, e);
        }
        if (result instanceof AppendResult.Committed) {
            long records = batches.stream().mapToLong(b -> b.hollowBatch().len()).sum();
            // Encoded bytes: blob part sizes plus inline parts, what the shard now holds for these records.
            long bytes = batches.stream().flatMap(b -> b.hollowBatch().parts().stream())
                    .mapToLong(p -> p.isInline() ? p.inlineBytes() : p.encodedSizeBytes()).sum();
            commits.inc();
            committedRecords.inc(records);
            committedBytes.inc(bytes);
            lastCommitDurationMs.set((System.nanoTime() - start) / 1_000_000);
            shardUpper.set(ts + 1);
            shardMarkers.set(writer.markers().size());
            caughtUp();
            LOG.info("Committed {} to shard {} at time {}", committable, config.shardId(), ts);
            if (maintenance != null) {
                maintenance.afterCommit();
            }
            return true;
        }
        if (result instanceof AppendResult.AlreadyCommitted) {
            return alreadyCommitted(request, committable);
        }
        conflicts.inc();
        Frontier current = ((AppendResult.UpperMismatch) result).current();
        shardUpper.set(current.isEmpty() ? -2 : current.element().getAsLong());
        if (current.isEmpty() || ++lostRaces > config.commitRetries()) {
            return fail(request, committable, current, batches, current.isEmpty()
                    ? "the shard is closed (its upper is empty)"
                    : "another writer kept moving the upper: " + lostRaces + " lost races");
        }
        // The checkpoint still owns these parts: the retry appends them again.
        batches.forEach(Batch::markConsumed);
        reportedUpper = current;
        LOG.info("Shard {} moved to {} while committing {} (lost race {}); retrying at a newer time",
                config.shardId(), current, committable, lostRaces);
        request.retryLater();
        return false;
    }

    private boolean alreadyCommitted(CommitRequest<PersistCommittable> request, PersistCommittable committable) {
        alreadyCommitted.inc();
        caughtUp();
        LOG.info("{} was already committed to shard {}", committable, config.shardId());
        request.signalAlreadyCommitted();
        return true;
    }

    private void caughtUp() {
        caughtUpAtMs.set(System.currentTimeMillis());
        racing = null;
    }

    /**
     * Fails the job (an unknown reason): Flink then restarts from the last checkpoint and replays this committable.
     * A "known reason" would make Flink drop the committable and lose its data.
     */
    private boolean fail(CommitRequest<PersistCommittable> request, PersistCommittable committable, Frontier upper,
            List<Batch> batches, String reason) {
        // The checkpoint still owns these parts: a restore replays the committable, so nothing is deleted.
        batches.forEach(Batch::markConsumed);
        racing = null;
        request.signalFailedWithUnknownReason(new IllegalStateException("cannot commit " + committable
                + " to shard " + config.shardId() + ": its upper is " + upper + "; " + reason));
        return false;
    }

    /**
     * Fails the job with an {@link InvalidCommittableException} naming the checkpoint: a committable that breaks
     * persist's rules never commits, and a restore replays it, so the operator has to decide what becomes of it.
     */
    private boolean refuse(CommitRequest<PersistCommittable> request, PersistCommittable committable,
            List<Batch> batches, InvalidUsageException cause) {
        // The checkpoint still owns these parts: nothing is deleted.
        batches.forEach(Batch::markConsumed);
        racing = null;
        InvalidCommittableException refused = new InvalidCommittableException(committable, config.shardId(), cause);
        LOG.error("Refused to commit {} to shard {}: {}", committable, config.shardId(), refused.getMessage());
        request.signalFailedWithUnknownReason(refused);
        return false;
    }

    @Override
    public void close() {
        try {
            if (maintenance != null) {
                maintenance.close();
            }
        } finally {
            shard.close();
        }
    }
}
