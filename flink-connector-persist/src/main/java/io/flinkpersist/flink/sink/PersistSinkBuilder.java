package io.flinkpersist.flink.sink;

import io.flinkpersist.flink.PersistShardBuilder;
import io.flinkpersist.flink.internal.ShardAddress;
import io.flinkpersist.flink.internal.ShardOptions;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.state.CommitMarkerState;
import io.flinkpersist.persist.state.StateSettings;
import java.time.Duration;
import java.util.UUID;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Builds a {@link PersistSink}. Setters only record values; {@link #build()} checks them all and throws an
 * {@link InvalidSinkOptionException} naming the first bad option and what it allows. See docs/datastream.md.
 */
@PublicEvolving
public final class PersistSinkBuilder<T> extends PersistShardBuilder<PersistSinkBuilder<T>> {
    /** Prefix of the name-based (version 3) UUID a shard name maps to; part of the on-disk contract. */
    public static final String SHARD_NAME_NAMESPACE = ShardOptions.SHARD_NAME_NAMESPACE;
    public static final int DEFAULT_COMMIT_RETRIES = 10;
    /**
     * 8 MiB, not persist's 128 MiB (sized for S3 requests): a checkpoint finishes the part being built on the task
     * thread, so what it sorts, encodes and uploads is what arrived since the last part was cut. At 1 MB/s to
     * 100 MB/s per writer and a checkpoint a second, 128 MiB parts were never cut between checkpoints and each
     * checkpoint stopped the job for all of them. Smaller parts mean more runs per batch, which compaction merges.
     */
    public static final long DEFAULT_PART_TARGET_SIZE_BYTES = 8L << 20;
    public static final int MAX_NAME_LENGTH = ShardOptions.MAX_NAME_LENGTH;
    /** The shortest marker retention accepted; anything near it makes most restores fail as undecidable. */
    public static final Duration MIN_MARKER_RETENTION = Duration.ofSeconds(1);
    /** How much longer than the marker retention the orphan grace period is by default. */
    public static final Duration ORPHAN_GRACE_MARGIN = Duration.ofDays(1);
    /** Merges the committer runs at once by default: one, and one of the newest batches while it lasts. */
    public static final int DEFAULT_COMPACTION_CONCURRENCY = 2;

    private PersistRecordSerializer<T> serializer;
    private String sinkId;
    private long partTargetSizeBytes = DEFAULT_PART_TARGET_SIZE_BYTES;
    private int maxOutstandingParts = BatchBuilderConfig.DEFAULT_MAX_OUTSTANDING_PARTS;
    private long inlineThresholdBytes = BatchBuilderConfig.DEFAULT_INLINE_WRITES_SINGLE_MAX_BYTES;
    private int commitRetries = DEFAULT_COMMIT_RETRIES;
    private Duration markerRetention = CommitMarkerState.DEFAULT_RETENTION;
    private int rollupThreshold = StateSettings.DEFAULT_ROLLUP_THRESHOLD;
    private boolean compaction = true;
    private boolean pageChecksums = true;
    private Duration historyRetention = CompactionSettings.DEFAULT_HISTORY_RETENTION;
    /** Null: the larger of the default and 4 times the part target size. */
    private Long compactionMemoryBoundBytes;
    private int compactionConcurrency = DEFAULT_COMPACTION_CONCURRENCY;
    private Duration orphanGrace;
    private boolean allowNoCheckpointing;

    PersistSinkBuilder() {}

    public PersistSinkBuilder<T> serializer(PersistRecordSerializer<T> serializer) {
        this.serializer = serializer;
        return this;
    }

    /**
     * The sink's name in the shard's commit markers and in logs; {@code persist-sink:<shard id>} by default.
     * It need not be unique: each run of a sink records its commits under this name and a random id of its own,
     * so sinks sharing a name, jobs sharing an id, and restores never take each other's commits for their own.
     */
    public PersistSinkBuilder<T> sinkId(String id) {
        this.sinkId = id;
        return this;
    }

    public PersistSinkBuilder<T> partTargetSizeBytes(long bytes) {
        this.partTargetSizeBytes = bytes;
        return this;
    }

    public PersistSinkBuilder<T> maxOutstandingParts(int parts) {
        this.maxOutstandingParts = parts;
        return this;
    }

    public PersistSinkBuilder<T> inlineThresholdBytes(long bytes) {
        this.inlineThresholdBytes = bytes;
        return this;
    }

    /**
     * Whether the parts this sink writes (and its committer's compaction rewrites) carry a CRC32 checksum on every
     * Parquet page (on by default), which every read verifies, so that a damaged part is an error naming it and
     * never different data. Without, a damaged page is caught only where it breaks the part's structure, its length
     * or its diffs sum, as in persist, which writes none; the checksums cost a few per cent of the writers' time
     * (docs/datastream.md, Performance).
     */
    public PersistSinkBuilder<T> pageChecksums(boolean enabled) {
        this.pageChecksums = enabled;
        return this;
    }

    /**
     * How many lost races (another writer moved the shard's upper first) one checkpoint's commit may take before
     * the job fails and restarts from its last checkpoint. Each lost race is retried at once at a newer time, as
     * one of Flink's commit retries ({@code sink.committer.retries}, 10 by default): the smaller of the two limits
     * applies.
     */
    public PersistSinkBuilder<T> commitRetries(int retries) {
        this.commitRetries = retries;
        return this;
    }

    /**
     * How long the shard keeps a run's commit marker after the run's last commit (30 days by default): a
     * checkpoint or savepoint older than that can no longer be told apart from new data, and a job restored from
     * it fails with a message saying so rather than guess. Shorter keeps fewer markers in a shard that many runs
     * wrote to; longer lets older savepoints be restored.
     */
    public PersistSinkBuilder<T> markerRetention(Duration retention) {
        this.markerRetention = retention;
        return this;
    }

    /**
     * Lets a STREAMING job over unbounded input run without periodic checkpointing (refused by default, since such
     * a job never commits): it then commits only at checkpoints triggered by hand (Flink's REST API) and at a
     * stop-with-savepoint. Off by default.
     */
    public PersistSinkBuilder<T> allowNoCheckpointing(boolean allow) {
        this.allowNoCheckpointing = allow;
        return this;
    }

    /**
     * Every how many versions of the shard's state the committer writes the whole state to blob as a rollup (128
     * by default, persist's): each commit writes only what changed to consensus, and a new handle reads the
     * newest rollup plus at most about this many changes. Smaller means smaller consensus and faster opens for
     * more rollup writes; each rollup is the size of the whole state.
     */
    public PersistSinkBuilder<T> rollupThreshold(int versions) {
        this.rollupThreshold = versions;
        return this;
    }

    /**
     * Whether the committer compacts the shard after its commits (on by default): in background threads next to
     * it, one merge at a time plus one of the newest batches while a long merge runs, never on the writers' path
     * and never failing the job. Turn it off to run {@code ShardMaintenance} elsewhere (see docs/operations.md), or
     * when another sink of the shard compacts it.
     */
    public PersistSinkBuilder<T> compaction(boolean enabled) {
        this.compaction = enabled;
        return this;
    }

    /**
     * How far behind the shard's upper (its latest commit time, in milliseconds) compaction keeps history: a snapshot
     * may read that far back, and everything older is consolidated (1 hour by default). A leased reader holds it
     * further back while it reads.
     */
    public PersistSinkBuilder<T> historyRetention(Duration retention) {
        this.historyRetention = retention;
        return this;
    }

    /**
     * How many bytes of parts one merge of the committer's compaction holds at once, at least 4 times the part target
     * size (by default 512 MiB or 4 times the part target size, whichever is larger); runs beyond it are merged in
     * several passes.
     */
    public PersistSinkBuilder<T> compactionMemoryBound(long bytes) {
        this.compactionMemoryBoundBytes = bytes;
        return this;
    }

    /**
     * How many merges the committer's compaction runs at once: 2 (the default) runs a merge of the newest batches
     * while a long merge of older ones lasts, so that the batches of the commits meanwhile do not pile up; 1 runs one
     * merge at a time, holding at most one merge's memory bound.
     */
    public PersistSinkBuilder<T> compactionConcurrency(int merges) {
        this.compactionConcurrency = merges;
        return this;
    }

    /**
     * How old a part that no retained version of the shard references must be before the committer's orphan sweep
     * (hourly, with compaction) deletes it: uploads of failed attempts, merges interrupted midway. It must be longer
     * than the marker retention, which makes it safe: a checkpoint or savepoint whose batches were prepared longer
     * than the marker retention ago is refused anyway when restored, so no restorable batch can reference a part
     * the sweep deletes. By default the marker retention plus a day (31 days).
     */
    public PersistSinkBuilder<T> orphanGrace(Duration grace) {
        this.orphanGrace = grace;
        return this;
    }

    /** The shard a human name stands for: the name-based UUID of {@code "flink-connector-persist:" + name}. */
    public static ShardId shardIdForName(String name) {
        return ShardOptions.shardIdForName(name);
    }

    public PersistSink<T> build() {
        ShardOptions options = new ShardOptions(InvalidSinkOptionException::new);
        ShardAddress address = checkedAddress(options);
        options.check(serializer != null, "serializer", null,
                "a PersistRecordSerializer, e.g. PersistRecordSerializer.valueOnly(schema)");
        String id = sinkId != null ? sinkId : "persist-sink:" + address.shardId();
        options.name("sinkId", id);
        options.check(partTargetSizeBytes >= 1 && partTargetSizeBytes <= Integer.MAX_VALUE, "partTargetSizeBytes",
                partTargetSizeBytes, "1 to " + Integer.MAX_VALUE);
        options.check(maxOutstandingParts >= 1, "maxOutstandingParts", maxOutstandingParts, "at least 1");
        options.check(inlineThresholdBytes >= 0, "inlineThresholdBytes", inlineThresholdBytes, "0 (never inline) or more");
        options.check(commitRetries >= 0, "commitRetries", commitRetries, "0 or more");
        options.check(markerRetention != null && markerRetention.compareTo(MIN_MARKER_RETENTION) >= 0, "markerRetention",
                markerRetention, "a duration of at least " + MIN_MARKER_RETENTION);
        options.check(rollupThreshold >= 1, "rollupThreshold", rollupThreshold, "at least 1 version");
        options.check(historyRetention != null && !historyRetention.isNegative(), "historyRetention", historyRetention,
                "a duration of 0 or more");
        long memoryBound = compactionMemoryBoundBytes != null ? compactionMemoryBoundBytes
                : Math.max(CompactionSettings.DEFAULT_MEMORY_BOUND, 4 * partTargetSizeBytes);
        options.check(memoryBound >= 4 * partTargetSizeBytes, "compactionMemoryBound", memoryBound,
                "at least 4 times the part target size, " + 4 * partTargetSizeBytes + " bytes");
        options.check(compactionConcurrency == 1 || compactionConcurrency == 2, "compactionConcurrency",
                compactionConcurrency, "1 (one merge at a time) or 2 (and one of the newest batches meanwhile)");
        Duration grace = orphanGrace != null ? orphanGrace : markerRetention.plus(ORPHAN_GRACE_MARGIN);
        options.check(grace.compareTo(markerRetention) > 0, "orphanGrace", grace,
                "a duration longer than the marker retention of " + markerRetention);
        return new PersistSink<>(new PersistSinkConfig(address, id, partTargetSizeBytes, maxOutstandingParts, inlineThresholdBytes,
                pageChecksums, commitRetries, markerRetention, allowNoCheckpointing, rollupThreshold, compaction,
                historyRetention, memoryBound, compactionConcurrency, grace, UUID.randomUUID().toString()), serializer);
    }
}
