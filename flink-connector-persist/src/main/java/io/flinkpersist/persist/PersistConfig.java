package io.flinkpersist.persist;

import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.consensus.PostgresConsensusConfig;
import io.flinkpersist.persist.consensus.SqliteConsensusConfig;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.state.StateSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Everything a {@link PersistClient} needs besides its location; immutable, built with {@link #builder()},
 * persist's defaults throughout.
 */
public final class PersistConfig {
    /** Persist's writer lease. */
    public static final Duration DEFAULT_WRITER_LEASE = Duration.ofMinutes(60);
    /** Persist's {@code persist_reader_lease_duration}. */
    public static final Duration DEFAULT_READER_LEASE = Duration.ofMinutes(15);
    /** Persist's {@code persist_inline_writes_total_max_bytes} (exclusive). */
    public static final long DEFAULT_INLINE_WRITES_TOTAL_MAX_BYTES = 1024 * 1024;

    private final BatchBuilderConfig batch;
    private final Map<String, String> hadoopOptions;
    private final RetryPolicy retryPolicy;
    private final PostgresConsensusConfig postgres;
    private final SqliteConsensusConfig sqlite;
    private final Duration writerLease;
    private final Duration readerLease;
    private final long inlineWritesTotalMaxBytes;
    private final int uploadThreads;
    private final LongSupplier clockMs;
    private final StateSettings state;
    private final CompactionSettings compaction;

    private PersistConfig(Builder b) {
        this.batch = b.batch;
        this.hadoopOptions = Map.copyOf(b.hadoopOptions);
        this.retryPolicy = b.retryPolicy;
        this.postgres = b.postgres.withRetryPolicy(b.retryPolicy);
        this.sqlite = b.sqlite.withRetryPolicy(b.retryPolicy);
        this.writerLease = b.writerLease;
        this.readerLease = b.readerLease;
        this.inlineWritesTotalMaxBytes = b.inlineWritesTotalMaxBytes;
        this.uploadThreads = b.uploadThreads;
        this.clockMs = b.clockMs;
        this.state = new StateSettings(b.rollupThreshold, b.rollupFallback.toMillis());
        this.compaction = b.compaction;
        long minimumBound = 4 * batch.blobTargetSizeBytes();
        if (compaction.memoryBoundBytes() < minimumBound) {
            throw new IllegalArgumentException("the compaction memory bound of " + compaction.memoryBoundBytes()
                    + " bytes is below 4 times the blob target size of " + batch.blobTargetSizeBytes()
                    + " bytes; allowed: at least " + minimumBound + " bytes, or a smaller blob target size");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static PersistConfig defaults() {
        return builder().build();
    }

    public BatchBuilderConfig batch() {
        return batch;
    }

    /** Hadoop options for the blob store ({@code fs.*}, {@code hadoop.*}); may hold credentials. */
    public Map<String, String> hadoopOptions() {
        return hadoopOptions;
    }

    /** Retries of blob and consensus calls, and of indeterminate state transitions. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public PostgresConsensusConfig postgres() {
        return postgres;
    }

    public SqliteConsensusConfig sqlite() {
        return sqlite;
    }

    public Duration writerLease() {
        return writerLease;
    }

    public Duration readerLease() {
        return readerLease;
    }

    public long inlineWritesTotalMaxBytes() {
        return inlineWritesTotalMaxBytes;
    }

    /** Threads that encode and upload parts for all handles of a client. */
    public int uploadThreads() {
        return uploadThreads;
    }

    /** Wall-clock milliseconds: lease expiry and state walltimes (replaceable in tests). */
    public LongSupplier clockMs() {
        return clockMs;
    }

    /** How often the shard state is rolled up into blob. */
    public StateSettings state() {
        return state;
    }

    /** How maintenance compacts shards and how much history it keeps readable. */
    public CompactionSettings compaction() {
        return compaction;
    }

    @Override
    public String toString() {
        return "PersistConfig{batch=" + batch + ", hadoopOptions=" + hadoopOptions.keySet() + ", retryPolicy="
                + retryPolicy + ", writerLease=" + writerLease + ", readerLease=" + readerLease
                + ", inlineWritesTotalMaxBytes=" + inlineWritesTotalMaxBytes + ", uploadThreads=" + uploadThreads + ", state=" + state + ", compaction=" + compaction + "}";
    }

    /** Collects and checks the settings. */
    public static final class Builder {
        private BatchBuilderConfig batch = BatchBuilderConfig.defaults();
        private Map<String, String> hadoopOptions = Map.of();
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private PostgresConsensusConfig postgres = PostgresConsensusConfig.DEFAULT;
        private SqliteConsensusConfig sqlite = SqliteConsensusConfig.DEFAULT;
        private Duration writerLease = DEFAULT_WRITER_LEASE;
        private Duration readerLease = DEFAULT_READER_LEASE;
        private long inlineWritesTotalMaxBytes = DEFAULT_INLINE_WRITES_TOTAL_MAX_BYTES;
        private int uploadThreads = 4;
        private LongSupplier clockMs = System::currentTimeMillis;
        private int rollupThreshold = StateSettings.DEFAULT_ROLLUP_THRESHOLD;
        private Duration rollupFallback = StateSettings.DEFAULT_ROLLUP_FALLBACK;
        private CompactionSettings compaction = CompactionSettings.defaults();

        private Builder() {}

        /** How maintenance compacts shards ({@link CompactionSettings#defaults()}: persist's heuristics). */
        public Builder compaction(CompactionSettings settings) {
            this.compaction = Objects.requireNonNull(settings, "compaction");
            return this;
        }

        public Builder batch(BatchBuilderConfig batch) {
            this.batch = Objects.requireNonNull(batch, "batch");
            return this;
        }

        public Builder hadoopOptions(Map<String, String> options) {
            this.hadoopOptions = Objects.requireNonNull(options, "hadoopOptions");
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        public Builder postgres(PostgresConsensusConfig config) {
            this.postgres = Objects.requireNonNull(config, "postgres");
            return this;
        }

        public Builder sqlite(SqliteConsensusConfig config) {
            this.sqlite = Objects.requireNonNull(config, "sqlite");
            return this;
        }

        public Builder writerLease(Duration lease) {
            this.writerLease = positive("writer lease", lease);
            return this;
        }

        public Builder readerLease(Duration lease) {
            this.readerLease = positive("reader lease", lease);
            return this;
        }

        public Builder inlineWritesTotalMaxBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("inline writes total max must not be negative, was " + bytes);
            }
            this.inlineWritesTotalMaxBytes = bytes;
            return this;
        }

        public Builder uploadThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("upload threads must be at least 1, was " + threads);
            }
            this.uploadThreads = threads;
            return this;
        }

        public Builder clockMs(LongSupplier clock) {
            this.clockMs = Objects.requireNonNull(clock, "clockMs");
            return this;
        }

        /**
         * Every how many state versions the whole state is written to blob as a rollup (persist's
         * {@code persist_rollup_threshold}, 128); consensus holds only the diffs since the oldest rollup still
         * needed.
         */
        public Builder rollupThreshold(int versions) {
            if (versions < 1) {
                throw new IllegalArgumentException("the rollup threshold must be at least 1 version, was " + versions);
            }
            this.rollupThreshold = versions;
            return this;
        }

        /**
         * How long a handle assigned a rollup may take before the next transition is assigned it instead
         * (persist's {@code persist_rollup_fallback_threshold_ms}, 5 s).
         */
        public Builder rollupFallback(Duration fallback) {
            if (fallback == null || fallback.isNegative()) {
                throw new IllegalArgumentException("the rollup fallback must not be negative, was " + fallback);
            }
            this.rollupFallback = fallback;
            return this;
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        public PersistConfig build() {
            return new PersistConfig(this);
        }
    }
}
