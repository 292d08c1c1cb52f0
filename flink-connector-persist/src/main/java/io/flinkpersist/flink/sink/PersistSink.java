package io.flinkpersist.flink.sink;

import io.flinkpersist.flink.sink.committer.PersistCommitAggregator;
import io.flinkpersist.flink.sink.committer.PersistCommittable;
import io.flinkpersist.flink.sink.committer.PersistCommittableSerializer;
import io.flinkpersist.flink.sink.committer.PersistCommitter;
import io.flinkpersist.flink.sink.writer.PersistSinkWriter;
import io.flinkpersist.flink.sink.writer.PersistWriteResult;
import io.flinkpersist.flink.sink.writer.PersistWriteResultSerializer;
import io.flinkpersist.flink.sink.writer.PersistWriterState;
import io.flinkpersist.flink.sink.writer.PersistWriterStateSerializer;
import java.util.Collection;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;

/**
 * An exactly-once sink into a persist shard: {@code stream.sinkTo(PersistSink.<T>builder()…build())}.
 *
 * <p>Each writer subtask builds one batch per checkpoint and hands its transmittable form on; a single
 * aggregator (parallelism 1) joins all writers' batches of a checkpoint into one {@link PersistCommittable};
 * the committer appends it with one compare-and-append that also records the checkpoint in the shard, so a
 * replayed committable is recognised. The pre-commit aggregation (not a post-commit global committer) is what
 * makes a bounded streaming job commit its final checkpoint on Flink 2.3.
 */
@PublicEvolving
public final class PersistSink<T> implements Sink<T>, SupportsCommitter<PersistCommittable>,
        SupportsPreCommitTopology<PersistWriteResult, PersistCommittable>, SupportsWriterState<T, PersistWriterState> {
    private static final long serialVersionUID = 1L;

    private final PersistSinkConfig config;
    private final PersistRecordSerializer<T> serializer;

    PersistSink(PersistSinkConfig config, PersistRecordSerializer<T> serializer) {
        this.config = config;
        this.serializer = serializer;
    }

    public static <T> PersistSinkBuilder<T> builder() {
        return new PersistSinkBuilder<>();
    }

    /** The validated options, e.g. to read the shard back with the same location and codecs. */
    public PersistSinkConfig config() {
        return config;
    }

    @Override
    public StatefulSinkWriter<T, PersistWriterState> createWriter(WriterInitContext context) {
        return new PersistSinkWriter<>(config, serializer, context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, PersistWriterState> restoreWriter(WriterInitContext context,
            Collection<PersistWriterState> restored) {
        return new PersistSinkWriter<>(config, serializer, context, restored);
    }

    @Override
    public SimpleVersionedSerializer<PersistWriterState> getWriterStateSerializer() {
        return new PersistWriterStateSerializer();
    }

    @Override
    public Committer<PersistCommittable> createCommitter(CommitterInitContext context) {
        return new PersistCommitter(config, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<PersistCommittable> getCommittableSerializer() {
        return new PersistCommittableSerializer();
    }

    @Override
    public DataStream<CommittableMessage<PersistCommittable>> addPreCommitTopology(
            DataStream<CommittableMessage<PersistWriteResult>> writeResults) {
        refuseUnboundedInputWithoutCheckpoints(writeResults);
        String name = "Persist commit aggregator";
        // global(): every writer's batches reach the one aggregator; the second global() sends the
        // aggregated committable to committer subtask 0, so one committer sees each checkpoint whole.
        return writeResults.global()
                .transform(name, CommittableMessageTypeInfo.of(PersistCommittableSerializer::new),
                        new PersistCommitAggregator(config))
                // No uid of its own: the aggregator keeps no state, and a uid here would oblige every job to
                // give the sink one (Flink's rule for sinks whose topology names uids).
                .name(name)
                .setParallelism(1)
                .setMaxParallelism(1)
                .global();
    }

    @Override
    public SimpleVersionedSerializer<PersistWriteResult> getWriteResultSerializer() {
        return new PersistWriteResultSerializer();
    }

    /**
     * The sink commits at checkpoints, and at end of input: a STREAMING job over unbounded input without
     * checkpointing would never commit anything, and is refused before it runs unless the sink allows it.
     */
    private void refuseUnboundedInputWithoutCheckpoints(DataStream<?> writeResults) {
        StreamExecutionEnvironment env = writeResults.getExecutionEnvironment();
        if (config.allowNoCheckpointing() || env.getCheckpointConfig().isCheckpointingEnabled()
                || env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH) {
            return;
        }
        // Only FLIP-27 sources say truly whether they end; legacy ones (the planner's VALUES, input formats) all
        // claim to be unbounded, and a finite one commits at end of input.
        List<String> unbounded = writeResults.getTransformation().getTransitivePredecessors().stream()
                .filter(t -> t instanceof SourceTransformation<?, ?, ?> source
                        && source.getBoundedness() == Boundedness.CONTINUOUS_UNBOUNDED)
                .map(Transformation::getName)
                .distinct()
                .toList();
        if (!unbounded.isEmpty()) {
            throw new IllegalStateException("persist sink " + config.sinkId() + " on shard " + config.shardId()
                    + " commits at checkpoints, but this job reads unbounded input " + unbounded + " in STREAMING "
                    + "mode without checkpointing, so nothing would ever be committed: enable checkpointing ("
                    + CheckpointingOptions.CHECKPOINTING_INTERVAL.key() + ", or env.enableCheckpointing(ms)), or, to "
                    + "commit only at checkpoints triggered by hand and at stop-with-savepoint, allowNoCheckpointing");
        }
    }
}
