package io.flinkpersist.flink.sink;

import io.flinkpersist.flink.internal.ShardAddress;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.state.Codecs;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.annotation.Internal;

/**
 * The validated options of a {@link PersistSink}, in a serializable form that every writer and committer
 * opens its own {@link PersistClient} from. Core types (location, shard id) are kept as strings because they
 * are not {@link Serializable}; {@link PersistSinkBuilder#build()} has already checked that they parse.
 *
 * <p>{@link #toString()} is safe to log: the consensus URI (which may hold a password) and the Hadoop option
 * values (which may hold S3 keys) are not shown.
 */
@Internal
public final class PersistSinkConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ShardAddress address;
    private final String sinkId;
    private final long partTargetSizeBytes;
    private final int maxOutstandingParts;
    private final long inlineThresholdBytes;
    private final boolean pageChecksums;
    private final int commitRetries;
    private final Duration markerRetention;
    private final boolean allowNoCheckpointing;
    private final int rollupThreshold;
    private final boolean compaction;
    private final Duration historyRetention;
    private final long compactionMemoryBoundBytes;
    private final int compactionConcurrency;
    private final Duration orphanGrace;
    private final String instanceId;

    PersistSinkConfig(ShardAddress address, String sinkId, long partTargetSizeBytes,
            int maxOutstandingParts, long inlineThresholdBytes, boolean pageChecksums, int commitRetries, Duration markerRetention,
            boolean allowNoCheckpointing, int rollupThreshold, boolean compaction, Duration historyRetention,
            long compactionMemoryBoundBytes, int compactionConcurrency, Duration orphanGrace, String instanceId) {
        this.address = address;
        this.sinkId = sinkId;
        this.partTargetSizeBytes = partTargetSizeBytes;
        this.maxOutstandingParts = maxOutstandingParts;
        this.inlineThresholdBytes = inlineThresholdBytes;
        this.pageChecksums = pageChecksums;
        this.commitRetries = commitRetries;
        this.markerRetention = markerRetention;
        this.rollupThreshold = rollupThreshold;
        this.compaction = compaction;
        this.historyRetention = historyRetention;
        this.compactionMemoryBoundBytes = compactionMemoryBoundBytes;
        this.compactionConcurrency = compactionConcurrency;
        this.orphanGrace = orphanGrace;
        this.allowNoCheckpointing = allowNoCheckpointing;
        this.instanceId = instanceId;
    }

    public PersistLocation location() {
        return address.location();
    }

    public PersistConfig persistConfig() {
        return PersistConfig.builder()
                .hadoopOptions(address.hadoopOptions())
                .rollupThreshold(rollupThreshold)
                .compaction(CompactionSettings.defaults().withHistoryRetention(historyRetention)
                        .withMemoryBound(compactionMemoryBoundBytes))
                .batch(BatchBuilderConfig.builder()
                        .blobTargetSizeBytes(partTargetSizeBytes)
                        .maxOutstandingParts(maxOutstandingParts)
                        .inlineWritesSingleMaxBytes(inlineThresholdBytes)
                        .pageChecksums(pageChecksums)
                        .build())
                .build();
    }

    /** Opens a client on this sink's location; the caller closes it. */
    public PersistClient openClient() {
        return PersistClient.open(location(), persistConfig());
    }

    public ShardId shardId() {
        return address.shardId();
    }

    public Codecs codecs() {
        return address.codecs();
    }

    /** The sink's name in the shard's commit markers and in logs (runs of the sink add their random id to it). */
    public String sinkId() {
        return sinkId;
    }

    /**
     * A random id drawn when the sink was built: one per submitted job graph, the same in all its failovers (they
     * deserialize the same graph), new for every submission, also under a fixed job id. Whether a restored writer
     * state was written by this instance tells a failover (its leftovers may be deleted) from a new submission
     * restored from a savepoint or a retained checkpoint (they may not: another checkpoint may still need them).
     */
    public String instanceId() {
        return instanceId;
    }

    /** Whether an unbounded STREAMING job may run without periodic checkpointing (it commits only when triggered). */
    public boolean allowNoCheckpointing() {
        return allowNoCheckpointing;
    }

    /** How long the shard keeps a run's commit marker after the run's last append. */
    public Duration markerRetention() {
        return markerRetention;
    }

    /** Every how many state versions the shard's state is rolled up into blob. */
    public int rollupThreshold() {
        return rollupThreshold;
    }

    /** Whether the committer compacts the shard after its commits. */
    public boolean compaction() {
        return compaction;
    }

    /** How far behind the shard's upper its since is kept: how far back a snapshot may read. */
    public Duration historyRetention() {
        return historyRetention;
    }

    /** How many bytes of parts one merge of the committer's compaction holds at once. */
    public long compactionMemoryBoundBytes() {
        return compactionMemoryBoundBytes;
    }

    /** How old an unreferenced part must be before the committer's orphan sweep deletes it. */
    /** Merges the committer's compaction runs at once: 1, or 2 with one of the newest batches. */
    public int compactionConcurrency() {
        return compactionConcurrency;
    }

    public Duration orphanGrace() {
        return orphanGrace;
    }

    /** How many part uploads a writer keeps in flight before {@code write} waits. */
    public int maxOutstandingParts() {
        return maxOutstandingParts;
    }

    /** How many lost races (another writer moved the upper) one committable may take before the job fails. */
    public int commitRetries() {
        return commitRetries;
    }

    @Override
    public String toString() {
        return "PersistSinkConfig{" + address + ", sinkId=" + sinkId
                + ", partTargetSizeBytes=" + partTargetSizeBytes + ", maxOutstandingParts=" + maxOutstandingParts
                + ", inlineThresholdBytes=" + inlineThresholdBytes + ", pageChecksums=" + pageChecksums
                + ", commitRetries=" + commitRetries
                + ", markerRetention=" + markerRetention + ", allowNoCheckpointing=" + allowNoCheckpointing
                + ", rollupThreshold=" + rollupThreshold + ", compaction=" + compaction + ", historyRetention="
                + historyRetention + ", compactionMemoryBoundBytes=" + compactionMemoryBoundBytes
                + ", compactionConcurrency=" + compactionConcurrency + ", orphanGrace=" + orphanGrace + ", instanceId="
                + instanceId + "}";
    }
}
