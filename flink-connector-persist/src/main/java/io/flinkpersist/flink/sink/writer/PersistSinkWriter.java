package io.flinkpersist.flink.sink.writer;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchWriteMetrics;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.time.Frontier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 * its transmittable form to the commit aggregator. A writer needs blob only: it opens no consensus connection,
 * so the shard's state store sees one client per sink whatever its parallelism.
 *
 * <p>Batches are built at time 0 with upper [1]; the committer moves them to the commit time with rewriteTs,
 * which is why a writer needs to know nothing about the shard's current upper.
 *
 * <p>Every attempt of a writer takes its part ids from a random {@link PartIdSequence} session of its own, so part
 * keys never meet across sinks, jobs, attempts or restores. Each checkpoint records the session's position
 * ({@link PersistWriterState}). After a failover of the same sink instance, the parts the failed attempt
 * uploaded past the restored checkpoint belong to no batch that can still be committed, unless the failed attempt
 * took a savepoint after that checkpoint: the restored writer passes those sessions to the aggregator
 * ({@link AbandonedSession}), which checks the shard and deletes them. Parts of an attempt that failed before its
 * first checkpoint are in no state, and are left for garbage collection.
 */
@Internal
public final class PersistSinkWriter<T>
        implements CommittingSinkWriter<T, PersistWriteResult>, StatefulSinkWriter<T, PersistWriterState> {
    private static final Logger LOG = LoggerFactory.getLogger(PersistSinkWriter.class);
    private static final Frontier BUILT_UPPER = Frontier.of(1);

    private final PersistSinkConfig config;
    private final PersistRecordSerializer<T> serializer;
    private final String sinkInstance;
    private final WriterKey writerKey;
    private final PartIdSequence partIds = PartIdSequence.random();
    private final Counter recordsSent;
    private final Counter bytesSent;
    private final Counter batchesFinished;
    private volatile long lastFinishDurationMs;
    private volatile PersistClient client;
    private List<AbandonedSession> abandoned;
    /** Volatile for the heldBytes gauge, read on a metrics thread. */
    private volatile BatchBuilder builder;

    /**
     * @param restored the states of the restored checkpoint assigned to this subtask; empty for a fresh start
     */
    public PersistSinkWriter(PersistSinkConfig config, PersistRecordSerializer<T> serializer,
            WriterInitContext context, Collection<PersistWriterState> restored) {
        this.config = config;
        this.serializer = serializer;
        // The job id too, in case one built sink is submitted as several jobs.
        this.sinkInstance = config.instanceId() + "/" + context.getJobInfo().getJobId();
        this.writerKey = config.persistConfig().batch().writerKey();
        this.recordsSent = context.metricGroup().getNumRecordsSendCounter();
        this.bytesSent = context.metricGroup().getNumBytesSendCounter();
        this.batchesFinished = context.metricGroup().counter("batchesFinished");
        // Gauges read the client's counters, so they are 0 until the client is opened.
        context.metricGroup().gauge("partsWritten", () -> written(BatchWriteMetrics::parts));
        context.metricGroup().gauge("partBytesWritten", () -> written(BatchWriteMetrics::bytes));
        context.metricGroup().gauge("uploadStalls", () -> written(BatchWriteMetrics::stalls));
        context.metricGroup().gauge("lastFinishDurationMs", () -> lastFinishDurationMs);
        context.metricGroup().gauge("heldBytes", () -> {
            BatchBuilder current = builder;
            return current == null ? 0L : current.heldBytes();
        });
        this.abandoned = abandonedSessions(restored, context.getRestoredCheckpointId().orElse(-1));
        try {
            serializer.open(context.asSerializationSchemaInitializationContext());
        } catch (Exception e) {
            throw new FlinkRuntimeException("could not open the record serializer of persist sink "
                    + config.sinkId(), e);
        }
    }

    /** The restored sessions of this sink instance: a failover's, whose leftovers the aggregator may delete. */
    private List<AbandonedSession> abandonedSessions(Collection<PersistWriterState> restored, long checkpoint) {
        List<AbandonedSession> sessions = new ArrayList<>();
        for (PersistWriterState state : restored) {
            if (state.sinkInstance().equals(sinkInstance)) {
                sessions.add(new AbandonedSession(state.writerKey(), state.session(), state.nextPart(),
                        Math.max(1, state.maxGap()), checkpoint));
            } else {
                // Restored into a new submission: another checkpoint of the old one may hold those parts.
                LOG.info("Restored the writer session {} of sink instance {} into instance {}: the parts it wrote "
                        + "after checkpoint {} are left for garbage collection", state.session(), state.sinkInstance(),
                        sinkInstance, checkpoint);
            }
        }
        return sessions;
    }

    @Override
    public void write(T element, Context context) {
        PersistRecord record = serializer.serialize(element);
        BatchBuilder current = builder;
        if (current == null) {
            current = client().batchBuilder(config.shardId(), Frontier.MINIMUM, partIds);
            builder = current;
        }
        current.add(record.key(), record.value(), 0, record.diff());
        recordsSent.inc();
        bytesSent.inc(record.key().length + record.value().length);
    }

    /** Nothing to do: parts upload in the background and {@link #prepareCommit()} finishes the batch. */
    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public Collection<PersistWriteResult> prepareCommit() {
        byte[] batch = null;
        if (builder != null) {
            BatchBuilder finishing = builder;
            builder = null;
            long start = System.nanoTime();
            batch = finishing.finish(BUILT_UPPER).toTransmittable();
            lastFinishDurationMs = (System.nanoTime() - start) / 1_000_000;
            batchesFinished.inc();
        }
        if (batch == null && abandoned.isEmpty()) {
            return List.of();
        }
        // The sessions go once: the checkpoint this result belongs to no longer records them.
        PersistWriteResult result = new PersistWriteResult(batch, abandoned);
        abandoned = List.of();
        return List.of(result);
    }

    /** Called after {@link #prepareCommit()}: every part below the recorded position is in a finished batch. */
    @Override
    public List<PersistWriterState> snapshotState(long checkpointId) {
        return List.of(new PersistWriterState(sinkInstance, partIds.session(), writerKey.toString(),
                partIds.position(), config.maxOutstandingParts()));
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
            if (client != null) {
                client.close();
            }
        }
    }

    private PersistClient client() {
        if (client == null) {
            client = config.openClient();
        }
        return client;
    }

    private long written(ToLongFunction<BatchWriteMetrics> counter) {
        PersistClient opened = client;
        return opened == null ? 0L : counter.applyAsLong(opened.metrics());
    }
}
