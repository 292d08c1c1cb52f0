package io.flinkpersist.persist;

import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchWriteMetrics;
import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.WriteHandle;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of the persist core: opened on a {@link PersistLocation}, it hands out write and read
 * handles on shards. A shard that does not exist yet is created on first use (upper = since = [0]).
 * Thread-safe; close it to release the stores and the upload threads.
 */
public final class PersistClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PersistClient.class);

    private final PersistLocation location;
    private final PersistConfig config;
    private final Blob blob;
    /** Opened on first use: a client that only builds batches never connects to consensus. */
    private Consensus consensus;
    private final ExecutorService uploads;
    private final BatchWriteMetrics metrics = new BatchWriteMetrics();
    private final BuildVersion version = BuildVersion.current();

    private PersistClient(PersistLocation location, PersistConfig config, Blob blob, Consensus consensus) {
        this.location = location;
        this.config = config;
        this.blob = blob;
        this.consensus = consensus;
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "persist-upload-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.uploads = Executors.newFixedThreadPool(config.uploadThreads(), factory);
    }

    public static PersistClient open(PersistLocation location, PersistConfig config) {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(config, "config");
        Blob blob = location.openBlob(config.hadoopOptions(), config.retryPolicy());
        LOG.info("Opened persist client on {}", location);
        return new PersistClient(location, config, blob, null);
    }

    /**
     * A client on stores the caller opened for {@code location}: implementations of its own, or wrappers of what
     * the location opens (to observe or inject failures). The client closes them when it is closed.
     */
    public static PersistClient open(PersistLocation location, PersistConfig config, Blob blob, Consensus consensus) {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(consensus, "consensus");
        LOG.info("Opened persist client on {} with the caller's stores", location);
        return new PersistClient(location, config, blob, consensus);
    }

    public PersistLocation location() {
        return location;
    }

    public PersistConfig config() {
        return config;
    }

    /** Counters of every batch written through this client. */
    public BatchWriteMetrics metrics() {
        return metrics;
    }

    /**
     * A builder of a batch of {@code shardId} whose updates are all at or beyond {@code lower}, with part ids
     * from {@code partIds}. It needs blob only: for writers whose batches another process appends (their
     * transmittable form travels there), so that they hold no consensus connection.
     */
    public BatchBuilder batchBuilder(ShardId shardId, Frontier lower, PartIdSequence partIds) {
        return new BatchBuilder(partWriter(shardId), version, lower, Frontier.MINIMUM, partIds);
    }

    /** A writer with a fresh id. */
    public WriteHandle openWriter(ShardId shardId, Codecs codecs) {
        return openWriter(shardId, codecs, WriterId.random());
    }

    /**
     * A writer with the given id: a writer that reopens with the same id recognises the appends it committed
     * before (while its lease lasts).
     *
     * @throws InvalidUsageException.CodecMismatch if the shard exists with other codecs
     */
    public WriteHandle openWriter(ShardId shardId, Codecs codecs, WriterId writerId) {
        return new WriteHandle(writerId, applier(shardId, codecs), partWriter(shardId), version,
                config.writerLease().toMillis(), config.inlineWritesTotalMaxBytes());
    }

    private PartWriter partWriter(ShardId shardId) {
        return new PartWriter(shardId, blob, config.batch(), uploads, metrics);
    }

    /**
     * A leased reader, registered with its since at the shard's since.
     *
     * @throws InvalidUsageException.CodecMismatch if the shard exists with other codecs
     */
    public ReadHandle openReader(ShardId shardId, Codecs codecs) {
        return ReadHandle.register(applier(shardId, codecs), blob, config.readerLease().toMillis());
    }

    /**
     * The maintenance of a shard: moving its since within the history retention, compacting its batches (its
     * garbage is collected with its state's rollups).
     *
     * @throws InvalidUsageException.CodecMismatch if the shard exists with other codecs
     */
    public ShardMaintenance openMaintenance(ShardId shardId, Codecs codecs) {
        return new ShardMaintenance(applier(shardId, codecs), partWriter(shardId), version, config.compaction());
    }

    private Applier applier(ShardId shardId, Codecs codecs) {
        return new Applier(shardId, consensus(), blob, codecs, version, config.clockMs(), config.retryPolicy(),
                config.state());
    }

    private synchronized Consensus consensus() {
        if (consensus == null) {
            consensus = location.openConsensus(config.postgres(), config.sqlite());
        }
        return consensus;
    }

    @Override
    public void close() {
        uploads.shutdown();
        try {
            synchronized (this) {
                if (consensus != null) {
                    consensus.close();
                }
            }
        } finally {
            blob.close();
        }
    }

    @Override
    public String toString() {
        return "PersistClient{" + location + "}";
    }
}
