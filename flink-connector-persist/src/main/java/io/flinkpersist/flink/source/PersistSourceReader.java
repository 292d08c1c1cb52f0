package io.flinkpersist.flink.source;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source subtask: reads its splits through one leased reader of the shard, registered when the subtask is
 * created, so its since hold is in place before any split arrives. The lease is renewed by a thread of its own
 * (a back-pressured reader still holds its history), and the since follows the splits as of each completed
 * checkpoint: a restore goes back to a completed checkpoint, whose splits must stay readable.
 */
final class PersistSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<SourceElement, T, PersistSplit, PersistSplitState> {
    private static final Logger LOG = LoggerFactory.getLogger(PersistSourceReader.class);

    private final PersistSourceConfig config;
    private final PersistClient client;
    private final ReadHandle reader;
    private final ScheduledExecutorService heartbeats;
    /** Per checkpoint taken and not yet completed, the least time its splits may still read. */
    private final TreeMap<Long, Long> holdsByCheckpoint = new TreeMap<>();
    private long sinceHeld = Long.MIN_VALUE;
    /** Set once an idle reader let go of its leased reader: it holds no history and must get no splits. */
    private boolean released;
    /** Whether a released reader has told Flink it is idle, so that it does not hold back downstream watermarks. */
    private boolean markedIdle;

    static <T> PersistSourceReader<T> open(PersistSourceConfig config, PersistRecordDeserializer<T> deserializer,
            SourceReaderContext context) throws Exception {
        deserializer.open(new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return context.metricGroup();
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return context.getUserCodeClassLoader();
            }
        });
        PersistClient client = config.openClient();
        try {
            ReadHandle reader = client.openReader(config.shardId(), config.codecs());
            return new PersistSourceReader<>(config, client, reader, deserializer, context, new AtomicLong());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private PersistSourceReader(PersistSourceConfig config, PersistClient client, ReadHandle reader,
            PersistRecordDeserializer<T> deserializer, SourceReaderContext context, AtomicLong frontierLag) {
        super(() -> new PersistSplitReader(reader, frontierLag), new PersistRecordEmitter<>(deserializer,
                context.metricGroup().getIOMetricGroup().getNumBytesInCounter(),
                context.metricGroup().getIOMetricGroup().getNumRecordsInCounter(), config.progressWatermarks()),
                new Configuration(), context);
        context.metricGroup().gauge("partsFetched", reader::partsFetched);
        context.metricGroup().gauge("partBytesFetched", reader::partBytesFetched);
        context.metricGroup().gauge("frontierLag", frontierLag::get);
        this.config = config;
        this.client = client;
        this.reader = reader;
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "persist-source-heartbeat-" + config.shardId());
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, config.readerLease().toMillis() / 4);
        heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    private void heartbeat() {
        try {
            reader.heartbeat();
        } catch (RuntimeException e) {
            // The next one tries again; a lease that runs out shows as a failed read (the history is gone).
            LOG.warn("Could not renew the lease of reader {} of shard {}: {}", reader.readerId(), config.shardId(),
                    e.toString());
        }
    }

    /** An idle reader of an unbounded source lets go of its hold on the shard's since (see NoSplitsEvent). */
    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (event instanceof NoSplitsEvent && !released && getNumberOfCurrentlyAssignedSplits() == 0) {
            released = true;
            heartbeats.shutdownNow();
            reader.expire();
            LOG.info("Reader {} of shard {} has no key range to read: it released its hold on the shard and stays "
                    + "idle", reader.readerId(), config.shardId());
            splitFetcherManager.getQueue().notifyAvailable(); // so that pollNext runs and marks the output idle
        }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        if (released && !markedIdle) {
            output.markIdle();
            markedIdle = true;
        }
        return super.pollNext(output);
    }

    /**
     * Splits reach a reader before the enumerator could find it idle (restored ones before it registers), and the
     * splits of a failed reader go to a new one: a released reader getting splits would read without holding the
     * since, so it fails and its replacement, holding the since, reads them.
     */
    @Override
    public void addSplits(List<PersistSplit> splits) {
        if (released) {
            throw new IllegalStateException("reader " + reader.readerId() + " of shard " + config.shardId()
                    + " released its hold on the shard as it had no key range, and then got " + splits);
        }
        super.addSplits(splits);
    }

    @Override
    public List<PersistSplit> snapshotState(long checkpointId) {
        List<PersistSplit> splits = super.snapshotState(checkpointId);
        if (!splits.isEmpty()) {
            holdsByCheckpoint.put(checkpointId, splits.stream().mapToLong(PersistSplit::sinceHold).min().orElseThrow());
        }
        return splits;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        Map<Long, Long> done = holdsByCheckpoint.headMap(checkpointId, true);
        Long hold = holdsByCheckpoint.get(checkpointId);
        done.clear();
        if (hold != null && hold > sinceHeld && hold >= 0) {
            reader.downgradeSince(Frontier.of(hold));
            sinceHeld = hold;
        }
    }

    @Override
    protected void onSplitFinished(Map<String, PersistSplitState> finishedSplitIds) {}

    @Override
    protected PersistSplitState initializedState(PersistSplit split) {
        return new PersistSplitState(split);
    }

    @Override
    protected PersistSplit toSplitType(String splitId, PersistSplitState state) {
        return state.toSplit();
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            heartbeats.shutdownNow();
            try {
                reader.close();
            } finally {
                client.close();
            }
        }
    }
}
