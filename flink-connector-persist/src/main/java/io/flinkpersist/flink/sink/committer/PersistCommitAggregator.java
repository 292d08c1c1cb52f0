package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.flink.sink.ShardConnection;
import io.flinkpersist.persist.write.CommitMarker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;
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
 * <p>Writers emit their results before forwarding the checkpoint barrier, so every result of checkpoint
 * {@code n} has arrived when {@link #prepareSnapshotPreBarrier} runs for {@code n} with aligned barriers; the
 * aggregate is emitted there, before this operator's own barrier. Without alignment (at-least-once checkpoints)
 * a fast writer's results of {@code n + 1} may arrive first: they wait for barrier {@code n + 1}, so that a
 * checkpoint never holds a batch its writers wrote after their own part of it. Waiting results are not state:
 * a restore replays their records. At end of input the writers stamp their last results with the last
 * checkpoint id + 1 (Flink's convention, also in BATCH mode), and that id stamps the aggregate.
 *
 * <p>When a snapshot is a savepoint it records so in the shard: Flink recovers a failed job from its last
 * checkpoint, never from a savepoint, and the writers must then keep the parts a later savepoint may hold.
 */
@Internal
public final class PersistCommitAggregator extends AbstractStreamOperator<CommittableMessage<PersistCommittable>>
        implements OneInputStreamOperator<CommittableMessage<byte[]>, CommittableMessage<PersistCommittable>>,
                BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PersistCommitAggregator.class);

    private final PersistSinkConfig config;
    private transient NavigableMap<Long, List<byte[]>> pending;
    private transient String jobId;
    private transient ShardConnection shard;

    public PersistCommitAggregator(PersistSinkConfig config) {
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new TreeMap<>();
        jobId = getRuntimeContext().getJobInfo().getJobId().toString();
        shard = new ShardConnection(config);
    }

    @Override
    public void processElement(StreamRecord<CommittableMessage<byte[]>> element) {
        if (element.getValue() instanceof CommittableWithLineage<byte[]> result) {
            pending.computeIfAbsent(result.getCheckpointId(), id -> new ArrayList<>())
                    .add(result.getCommittable());
        }
        // Summaries only count the writers' results; this operator emits its own.
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emit(checkpointId, pending.headMap(checkpointId, true));
    }

    @Override
    public OperatorSnapshotFutures snapshotState(long checkpointId, long timestamp, CheckpointOptions options,
            CheckpointStreamFactory storage) throws Exception {
        if (options.getCheckpointType().isSavepoint()) {
            // Before this operator acknowledges: a savepoint that completes is always recorded.
            String savepoints = SinkMarkers.savepoints(config.sinkId(), jobId);
            shard.writer().recordMarker(new CommitMarker(savepoints, checkpointId));
            LOG.info("Recorded savepoint {} of job {} in shard {}", checkpointId, jobId, config.shardId());
        }
        return super.snapshotState(checkpointId, timestamp, options, storage);
    }

    @Override
    public void endInput() {
        if (!pending.isEmpty()) {
            emit(pending.lastKey(), pending);
        }
    }

    private void emit(long checkpointId, Map<Long, List<byte[]>> results) {
        List<byte[]> batches = new ArrayList<>();
        results.values().forEach(batches::addAll);
        results.clear();
        if (batches.isEmpty()) {
            // Nothing written: no append, so an idle job does not write to consensus every checkpoint.
            return;
        }
        PersistCommittable committable = new PersistCommittable(config.sinkId(), jobId, checkpointId, batches);
        LOG.debug("Aggregated {}", committable);
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
