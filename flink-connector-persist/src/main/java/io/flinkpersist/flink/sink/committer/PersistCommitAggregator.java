package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.flink.sink.ShardConnection;
import io.flinkpersist.flink.sink.writer.AbandonedSession;
import io.flinkpersist.flink.sink.writer.PersistWriteResult;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pre-commit topology's one operator (parallelism 1): joins the batches all writers produced for a
 * checkpoint into one {@link PersistCommittable}, so that the committer performs one compare-and-append per
 * checkpoint.
 *
 * <p>Each start of this operator (a new job, a restore, a failover) is a new <em>run</em> with a random id, and
 * every committable it creates is recorded in the shard under that run ({@link SinkMarkers#commits}). A committable
 * restored from a checkpoint or savepoint keeps the run that created it, so its replay is recognised; one created
 * after the restore can never match an earlier run's marker, whatever the job id or the restored checkpoint's id.
 *
 * <p>Writers emit their results before forwarding the checkpoint barrier, so every result of checkpoint
 * {@code n} has arrived when {@link #prepareSnapshotPreBarrier} runs for {@code n} with aligned barriers; the
 * aggregate is emitted there, before this operator's own barrier, also when nothing was written (an empty
 * committable, which the committer finishes without I/O). Without alignment (at-least-once checkpoints) a fast
 * writer's results of {@code n + 1} may arrive first: they wait for barrier {@code n + 1}, so that a checkpoint
 * never holds a batch its writers wrote after their own part of it. Waiting results are not state: a restore
 * replays their records. At end of input the writers stamp their last results with the last checkpoint id + 1
 * (Flink's convention, also in BATCH mode), and that id stamps the aggregate, which says that the input has ended
 * (the committer then does not keep the job waiting for a merge of the shard).
 *
 * <p>When a snapshot is a savepoint it records so in the shard: Flink recovers a failed job from its last
 * checkpoint, never from a savepoint, so the parts a later savepoint may hold must stay. Restored writers pass the
 * sessions of their failed attempt here ({@link AbandonedSession}); unless such a savepoint exists, the parts those
 * sessions wrote after the restored checkpoint are deleted.
 */
@Internal
public final class PersistCommitAggregator extends AbstractStreamOperator<CommittableMessage<PersistCommittable>>
        implements OneInputStreamOperator<CommittableMessage<PersistWriteResult>, CommittableMessage<PersistCommittable>>,
                BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PersistCommitAggregator.class);

    private final PersistSinkConfig config;
    private transient NavigableMap<Long, List<byte[]>> pending;
    private transient long lastEmittedCheckpoint;
    /** Whether every writer has reached the end of its input: the committables from then on say so. */
    private transient boolean inputEnded;
    private transient String committer;
    private transient ShardConnection shard;
    private transient Counter abandonedPartsDeleted;

    public PersistCommitAggregator(PersistSinkConfig config) {
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new TreeMap<>();
        lastEmittedCheckpoint = -1;
        String run = UUID.randomUUID().toString();
        committer = SinkMarkers.commits(config.sinkId(), run);
        shard = new ShardConnection(config);
        abandonedPartsDeleted = getMetricGroup().counter("abandonedPartsDeleted");
        LOG.info("Persist sink {} (instance {}) starts run {} on shard {}", config.sinkId(), config.instanceId(), run,
                config.shardId());
    }

    @Override
    public void processElement(StreamRecord<CommittableMessage<PersistWriteResult>> element) {
        if (element.getValue() instanceof CommittableWithLineage<PersistWriteResult> message) {
            PersistWriteResult result = message.getCommittable();
            result.abandonedSessions().forEach(this::deleteAbandonedParts);
            if (result.batch() != null) {
                pending.computeIfAbsent(message.getCheckpointId(), id -> new ArrayList<>()).add(result.batch());
            }
        }
        // Summaries only count the writers' results; this operator emits its own.
    }

    /**
     * Deletes what a failed attempt's session uploaded after the restored checkpoint, unless a savepoint was taken
     * after it. A failure here costs nothing but space: the parts are left for garbage collection.
     */
    private void deleteAbandonedParts(AbandonedSession abandoned) {
        try {
            WriteHandle writer = shard.writer();
            OptionalLong savepoint = writer.fetchMarker(SinkMarkers.savepoints(config.sinkId(), config.instanceId()));
            if (savepoint.isPresent() && savepoint.getAsLong() > abandoned.checkpointId()) {
                LOG.info("Savepoint {} of sink instance {} was taken after the restored checkpoint {}: the parts "
                        + "writer session {} wrote after the checkpoint are left for garbage collection",
                        savepoint.getAsLong(), config.instanceId(), abandoned.checkpointId(), abandoned.session());
                return;
            }
            abandonedPartsDeleted.inc(writer.deleteAbandonedParts(WriterKey.parse(abandoned.writerKey()),
                    abandoned.session(), abandoned.from(), abandoned.maxGap()).deleted());
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the parts writer session {} wrote after checkpoint {} in shard {}; they are "
                    + "left for garbage collection", abandoned.session(), abandoned.checkpointId(), config.shardId(), e);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (checkpointId > lastEmittedCheckpoint) {
            emit(checkpointId, pending.headMap(checkpointId, true));
        }
    }

    @Override
    public OperatorSnapshotFutures snapshotState(long checkpointId, long timestamp, CheckpointOptions options,
            CheckpointStreamFactory storage) throws Exception {
        if (options.getCheckpointType().isSavepoint()) {
            // Before this operator acknowledges: a savepoint that completes is always recorded.
            String savepoints = SinkMarkers.savepoints(config.sinkId(), config.instanceId());
            shard.writer().recordMarker(new CommitMarker(savepoints, checkpointId, System.currentTimeMillis(),
                    config.markerRetention()));
            LOG.info("Recorded savepoint {} of sink instance {} in shard {}", checkpointId, config.instanceId(),
                    config.shardId());
        }
        return super.snapshotState(checkpointId, timestamp, options, storage);
    }

    @Override
    public void endInput() {
        inputEnded = true;
        if (!pending.isEmpty()) {
            emit(pending.lastKey(), pending);
        }
    }

    /** Emits one committable of {@code results}, even an empty one: the committer counts it as caught up. */
    private void emit(long checkpointId, Map<Long, List<byte[]>> results) {
        List<byte[]> batches = new ArrayList<>();
        results.values().forEach(batches::addAll);
        results.clear();
        PersistCommittable committable = new PersistCommittable(committer, checkpointId, System.currentTimeMillis(),
                batches, inputEnded);
        LOG.debug("Aggregated {}", committable);
        lastEmittedCheckpoint = checkpointId;
        output.collect(new StreamRecord<>(new CommittableSummary<>(0, 1, checkpointId, 1, 0)));
        output.collect(new StreamRecord<>(new CommittableWithLineage<>(committable, checkpointId, 0)));
    }

    @Override
    public void close() throws Exception {
        try {
            if (shard != null) {
                shard.close();
            }
        } finally {
            super.close();
        }
    }
}
