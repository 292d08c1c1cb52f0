package io.flinkpersist.flink.sink.writer;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * One per subtask: adds each element to a {@link BatchBuilder} (which uploads full parts in the background,
 * with a bounded number outstanding) and at each checkpoint, and at end of input, finishes the batch and hands
 * its transmittable form to the commit aggregator.
 *
 * <p>Batches are built at time 0 with upper [1]; the committer moves them to the commit time with rewriteTs,
 * which is why a writer needs to know nothing about the shard's current upper.
 */
@Internal
public final class PersistSinkWriter<T> implements CommittingSinkWriter<T, byte[]> {
    private static final Frontier BUILT_UPPER = Frontier.of(1);

    private final PersistSinkConfig config;
    private final PersistRecordSerializer<T> serializer;
    private final Counter recordsSent;
    private final Counter bytesSent;
    private final Counter batchesFinished;
    private volatile long lastFinishDurationMs;
    private volatile PersistClient client;
    private WriteHandle handle;
    private BatchBuilder builder;

    public PersistSinkWriter(PersistSinkConfig config, PersistRecordSerializer<T> serializer,
            WriterInitContext context) {
        this.config = config;
        this.serializer = serializer;
        this.recordsSent = context.metricGroup().getNumRecordsSendCounter();
        this.bytesSent = context.metricGroup().getNumBytesSendCounter();
        this.batchesFinished = context.metricGroup().counter("batchesFinished");
        // Gauges read the client's counters, so they are 0 until the first record opens it.
        context.metricGroup().gauge("partsWritten", () -> client == null ? 0L : client.metrics().parts());
        context.metricGroup().gauge("partBytesWritten", () -> client == null ? 0L : client.metrics().bytes());
        context.metricGroup().gauge("uploadStalls", () -> client == null ? 0L : client.metrics().stalls());
        context.metricGroup().gauge("lastFinishDurationMs", () -> lastFinishDurationMs);
        try {
            serializer.open(context.asSerializationSchemaInitializationContext());
        } catch (Exception e) {
            throw new FlinkRuntimeException("could not open the record serializer of persist sink "
                    + config.sinkId(), e);
        }
    }

    @Override
    public void write(T element, Context context) {
        PersistRecord record = serializer.serialize(element);
        if (builder == null) {
            builder = handle().builder(Frontier.MINIMUM);
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
            if (handle != null) {
                handle.close();
            }
            if (client != null) {
                client.close();
            }
        }
    }

    private WriteHandle handle() {
        if (handle == null) {
            client = config.openClient();
            handle = client.openWriter(config.shardId(), config.codecs());
        }
        return handle;
    }
}
