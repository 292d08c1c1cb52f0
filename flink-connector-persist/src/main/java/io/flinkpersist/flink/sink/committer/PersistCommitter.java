package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.flink.sink.ShardConnection;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each aggregated committable with one compare-and-append at {@code ts = max(shard upper, now)},
 * recording {@code CommitMarker(sinkId/jobId, checkpointId)} in the same compare-and-set, so that a replay
 * (after a failure or a restore) is recognised by the shard itself. Committables commit in checkpoint order.
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
    private final AtomicLong lastSuccessfulCommitMs = new AtomicLong(System.currentTimeMillis());
    private final AtomicLong shardUpper = new AtomicLong(-1);
    private final ShardConnection shard;

    public PersistCommitter(PersistSinkConfig config, SinkCommitterMetricGroup metrics) {
        this.config = config;
        this.shard = new ShardConnection(config);
        this.commits = metrics.counter("commits");
        this.alreadyCommitted = metrics.counter("alreadyCommitted");
        this.conflicts = metrics.counter("conflicts");
        this.committedRecords = metrics.counter("committedRecords");
        this.committedBytes = metrics.counter("committedBytes");
        metrics.gauge("lastCommitDurationMs", lastCommitDurationMs::get);
        // Since this committer started if it has not committed yet: an alert threshold needs no special case.
        metrics.gauge("elapsedSecondsSinceLastSuccessfulCommit",
                () -> (System.currentTimeMillis() - lastSuccessfulCommitMs.get()) / 1000);
        // The shard's upper as this committer last saw it; -1 before the first commit, -2 once closed.
        metrics.gauge("shardUpper", shardUpper::get);
    }

    @Override
    public void commit(Collection<CommitRequest<PersistCommittable>> requests) {
        List<CommitRequest<PersistCommittable>> ordered = new ArrayList<>(requests);
        ordered.sort(Comparator.comparingLong(r -> r.getCommittable().checkpointId()));
        for (CommitRequest<PersistCommittable> request : ordered) {
            commit(request);
        }
    }

    private void commit(CommitRequest<PersistCommittable> request) {
        PersistCommittable committable = request.getCommittable();
        WriteHandle writer = shard.writer();
        long start = System.nanoTime();
        List<Batch> batches = committable.batches().stream().map(writer::batchFromTransmittable).toList();
        long records = batches.stream().mapToLong(b -> b.hollowBatch().len()).sum();
        // Encoded bytes: blob part sizes plus inline parts, what the shard now holds for these records.
        long bytes = batches.stream().flatMap(b -> b.hollowBatch().parts().stream())
                .mapToLong(p -> p.isInline() ? p.inlineBytes() : p.encodedSizeBytes()).sum();
        CommitMarker marker = new CommitMarker(committable.marker(), committable.checkpointId());
        // One token for all attempts of this committable: an attempt that answered UpperMismatch appended nothing.
        IdempotencyToken token = IdempotencyToken.random();
        Frontier upper = writer.fetchRecentUpper();
        Frontier expected = upper;
        for (int attempt = 0; attempt <= config.commitRetries(); attempt++) {
            if (upper.isEmpty()) {
                break;
            }
            long ts = Math.max(upper.element().getAsLong(), System.currentTimeMillis());
            // rewriteTs is metadata only: a retry moves the same parts to a newer time.
            batches.forEach(b -> b.rewriteTs(Frontier.of(ts), Frontier.of(ts + 1)));
            AppendResult result = writer.compareAndAppend(batches, upper, Frontier.of(ts + 1), token, marker);
            if (result instanceof AppendResult.Committed) {
                commits.inc();
                committedRecords.inc(records);
                committedBytes.inc(bytes);
                lastCommitDurationMs.set((System.nanoTime() - start) / 1_000_000);
                lastSuccessfulCommitMs.set(System.currentTimeMillis());
                shardUpper.set(ts + 1);
                LOG.info("Committed {} to shard {} at time {}", committable, config.shardId(), ts);
                return;
            }
            if (result instanceof AppendResult.AlreadyCommitted) {
                alreadyCommitted.inc();
                lastSuccessfulCommitMs.set(System.currentTimeMillis());
                LOG.info("{} was already committed to shard {}", committable, config.shardId());
                request.signalAlreadyCommitted();
                return;
            }
            conflicts.inc();
            AppendResult.UpperMismatch mismatch = (AppendResult.UpperMismatch) result;
            expected = mismatch.expected();
            upper = mismatch.current();
            shardUpper.set(upper.isEmpty() ? -2 : upper.element().getAsLong());
            LOG.info("Shard {} moved to {} while committing {} (attempt {}); retrying at a newer time",
                    config.shardId(), upper, committable, attempt + 1);
            // The first retry goes at once (the winner has just finished); later ones back off, so that
            // writers that keep losing together do not keep retrying together.
            if (attempt > 0 && !sleepBeforeRetry(attempt)) {
                break;
            }
        }
        // The checkpoint still owns these parts: a restore replays the committable, so nothing is deleted.
        batches.forEach(Batch::markConsumed);
        String reason = upper.isEmpty() ? "the shard is closed (its upper is empty)"
                : "another writer kept moving the upper: " + (config.commitRetries() + 1) + " attempts";
        // Fail the job (an unknown reason): Flink then restarts from the last checkpoint and replays this
        // committable. A "known reason" would make Flink drop the committable and lose its data.
        request.signalFailedWithUnknownReason(new IllegalStateException("cannot commit " + committable + " to shard "
                + config.shardId() + ": expected upper " + expected + ", actual upper " + upper + "; " + reason));
    }

    /** Sleeps a jittered, growing backoff; false if interrupted (the commit then fails and is retried by Flink). */
    private boolean sleepBeforeRetry(int failedAttempts) {
        try {
            Thread.sleep(config.persistConfig().retryPolicy().jitteredBackoff(failedAttempts).toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        shard.close();
    }
}
