package io.flinkpersist.flink.sink.writer;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.flink.sink.ShardConnection;
import io.flinkpersist.flink.sink.committer.SinkMarkers;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchWriteMetrics;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.ToLongFunction;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per subtask: adds each element to a {@link BatchBuilder} (which uploads full parts in the background,
 * with a bounded number outstanding) and at each checkpoint, and at end of input, finishes the batch and hands
 * its transmittable form to the commit aggregator.
 *
 * <p>Batches are built at time 0 with upper [1]; the committer moves them to the commit time with rewriteTs,
 * which is why a writer needs to know nothing about the shard's current upper.
 *
 * <p>Parts take their ids from a {@link PartIdSequence} whose position each checkpoint records
 * ({@link PersistWriterState}). After a failover, the parts a writer uploaded past the restored checkpoint belong
 * to no batch that can still be committed, unless the failed attempt took a savepoint after that checkpoint: the
 * restored writer deletes them (those a batch of the shard references excepted). A restored writer's own session
 * is derived from the job, the restored checkpoint and its subtask, so that the next restore of the same
 * checkpoint finds the parts of an attempt that failed before its first checkpoint too.
 */
@Internal
public final class PersistSinkWriter<T>
        implements CommittingSinkWriter<T, byte[]>, StatefulSinkWriter<T, PersistWriterState> {
    private static final Logger LOG = LoggerFactory.getLogger(PersistSinkWriter.class);
    private static final Frontier BUILT_UPPER = Frontier.of(1);
    private static final String SESSION_NAMESPACE = "flink-connector-persist-writer:";

    private final PersistSinkConfig config;
    private final PersistRecordSerializer<T> serializer;
    private final String jobId;
    private final WriterKey writerKey;
    private final PartIdSequence partIds;
    private final Counter recordsSent;
    private final Counter bytesSent;
    private final Counter batchesFinished;
    private final Counter abandonedPartsDeleted;
    private volatile long lastFinishDurationMs;
    private final ShardConnection shard;
    private BatchBuilder builder;

    /**
     * @param restored the states of the restored checkpoint assigned to this subtask; empty for a fresh start
     */
    public PersistSinkWriter(PersistSinkConfig config, PersistRecordSerializer<T> serializer,
            WriterInitContext context, Collection<PersistWriterState> restored) {
        this.config = config;
        this.serializer = serializer;
        this.jobId = context.getJobInfo().getJobId().toString();
        this.writerKey = config.persistConfig().batch().writerKey();
        this.shard = new ShardConnection(config);
        this.recordsSent = context.metricGroup().getNumRecordsSendCounter();
        this.bytesSent = context.metricGroup().getNumBytesSendCounter();
        this.batchesFinished = context.metricGroup().counter("batchesFinished");
        this.abandonedPartsDeleted = context.metricGroup().counter("abandonedPartsDeleted");
        // Gauges read the client's counters, so they are 0 until the client is opened.
        context.metricGroup().gauge("partsWritten", () -> written(BatchWriteMetrics::parts));
        context.metricGroup().gauge("partBytesWritten", () -> written(BatchWriteMetrics::bytes));
        context.metricGroup().gauge("uploadStalls", () -> written(BatchWriteMetrics::stalls));
        context.metricGroup().gauge("lastFinishDurationMs", () -> lastFinishDurationMs);
        OptionalLong restoredCheckpoint = context.getRestoredCheckpointId();
        this.partIds = new PartIdSequence(restoredCheckpoint.isPresent()
                ? restoredSession(context, restoredCheckpoint.getAsLong(), restored)
                : UUID.randomUUID(), 0);
        try {
            serializer.open(context.asSerializationSchemaInitializationContext());
        } catch (Exception e) {
            throw new FlinkRuntimeException("could not open the record serializer of persist sink "
                    + config.sinkId(), e);
        }
    }

    /**
     * Deletes what earlier attempts of this job left past {@code checkpoint} and returns this writer's session:
     * the derived one if its leftovers could be deleted, a random one otherwise (its ids must not meet parts a
     * savepoint holds, or parts a failed delete left behind).
     */
    private UUID restoredSession(WriterInitContext context, long checkpoint, Collection<PersistWriterState> restored) {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        UUID derived = UUID.nameUUIDFromBytes((SESSION_NAMESPACE + config.sinkId() + "/" + jobId + "/" + checkpoint
                + "/" + subtask + "/" + parallelism).getBytes(StandardCharsets.UTF_8));
        try {
            WriteHandle writer = shard.writer();
            OptionalLong savepoint = writer.fetchMarker(SinkMarkers.savepoints(config.sinkId(), jobId));
            if (savepoint.isPresent() && savepoint.getAsLong() > checkpoint) {
                LOG.info("Savepoint {} of job {} was taken after the restored checkpoint {}: the parts written after "
                        + "the checkpoint are left for garbage collection", savepoint.getAsLong(), jobId, checkpoint);
                return UUID.randomUUID();
            }
            long deleted = writer.deleteAbandonedParts(writerKey, derived, 0, config.maxOutstandingParts()).deleted();
            for (PersistWriterState state : restored) {
                if (!state.jobId().equals(jobId)) {
                    // A new job restored from a savepoint: another checkpoint of the old job may hold those parts.
                    LOG.info("Restored the writer session {} of job {}: parts it wrote after checkpoint {} are left "
                            + "for garbage collection", state.session(), state.jobId(), checkpoint);
                    continue;
                }
                deleted += writer.deleteAbandonedParts(WriterKey.parse(state.writerKey()), state.session(),
                        state.nextPart(), Math.max(1, state.maxGap())).deleted();
            }
            abandonedPartsDeleted.inc(deleted);
            return derived;
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the parts earlier attempts of job {} wrote after checkpoint {} in shard {}; "
                    + "they are left for garbage collection", jobId, checkpoint, config.shardId(), e);
            return UUID.randomUUID();
        }
    }

    @Override
    public void write(T element, Context context) {
        PersistRecord record = serializer.serialize(element);
        if (builder == null) {
            builder = shard.writer().builder(Frontier.MINIMUM, partIds);
        }
        builder.add(record.key(), record.value(), 0, record.diff());
        recordsSent.inc();
        bytesSent.inc(record.key().length + record.value().length);
    }

    /** Nothing to do: parts upload in the background and {@link #prepareCommit()} finishes the batch. */
    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public Collection<byte[]> prepareCommit() {
        if (builder == null) {
            return List.of();
        }
        BatchBuilder finishing = builder;
        builder = null;
        long start = System.nanoTime();
        byte[] batch = finishing.finish(BUILT_UPPER).toTransmittable();
        lastFinishDurationMs = (System.nanoTime() - start) / 1_000_000;
        batchesFinished.inc();
        return List.of(batch);
    }

    /** Called after {@link #prepareCommit()}: every part below the recorded position is in a finished batch. */
    @Override
    public List<PersistWriterState> snapshotState(long checkpointId) {
        return List.of(new PersistWriterState(jobId, partIds.session(), writerKey.toString(), partIds.position(),
                config.maxOutstandingParts()));
    }

    /**
     * Abandons an unfinished batch (its builder waits for uploads in flight and deletes the parts written so
     * far): those records belong to no checkpoint and are replayed after a restore.
     */
    @Override
    public void close() throws IOException {
        try {
            if (builder != null) {
                builder.close();
                builder = null;
            }
        } finally {
            shard.close();
        }
    }

    private long written(ToLongFunction<BatchWriteMetrics> counter) {
        BatchWriteMetrics metrics = shard.metrics();
        return metrics == null ? 0L : counter.applyAsLong(metrics);
    }
}
