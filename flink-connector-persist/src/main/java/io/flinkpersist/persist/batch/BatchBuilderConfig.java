package io.flinkpersist.persist.batch;

import io.flinkpersist.persist.ids.WriterKey;
import java.util.Objects;

/**
 * The knobs of one {@link BatchBuilder}, after persist's dynamic configs; immutable, built with
 * {@link #builder()}. Every value is checked when built and a bad one is named in the error.
 */
public final class BatchBuilderConfig {
    /** Persist's {@code persist_blob_target_size}. */
    public static final long DEFAULT_BLOB_TARGET_SIZE_BYTES = 128L * 1024 * 1024;
    /** Persist's {@code persist_batch_builder_max_outstanding_parts}. */
    public static final int DEFAULT_MAX_OUTSTANDING_PARTS = 2;
    /**
     * Persist's {@code persist_inline_writes_single_max_bytes} (exclusive): 4096 since 2025 (the seed had 0,
     * meaning never inline). Small checkpoint batches then cost one consensus write instead of an upload.
     */
    public static final long DEFAULT_INLINE_WRITES_SINGLE_MAX_BYTES = 4096;
    /** Persist's {@code persist_stats_budget_bytes}. */
    public static final int DEFAULT_STATS_BUDGET_BYTES = 1024;
    /** Longest key prefix kept as a part's {@code key_lower}. */
    public static final int DEFAULT_KEY_LOWER_MAX_BYTES = 100;

    private final WriterKey writerKey;
    private final long blobTargetSizeBytes;
    private final int maxOutstandingParts;
    private final long inlineWritesSingleMaxBytes;
    private final boolean statsCollectionEnabled;
    private final int statsBudgetBytes;
    private final UntrimmableColumns untrimmableColumns;
    private final boolean consolidate;
    private final boolean batchDeleteEnabled;
    private final int keyLowerMaxBytes;
    private final boolean pageChecksums;

    private BatchBuilderConfig(Builder b) {
        this.writerKey = b.writerKey;
        this.blobTargetSizeBytes = b.blobTargetSizeBytes;
        this.maxOutstandingParts = b.maxOutstandingParts;
        this.inlineWritesSingleMaxBytes = b.inlineWritesSingleMaxBytes;
        this.statsCollectionEnabled = b.statsCollectionEnabled;
        this.statsBudgetBytes = b.statsBudgetBytes;
        this.untrimmableColumns = b.untrimmableColumns;
        this.consolidate = b.consolidate;
        this.batchDeleteEnabled = b.batchDeleteEnabled;
        this.keyLowerMaxBytes = b.keyLowerMaxBytes;
        this.pageChecksums = b.pageChecksums;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static BatchBuilderConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.writerKey = writerKey;
        b.blobTargetSizeBytes = blobTargetSizeBytes;
        b.maxOutstandingParts = maxOutstandingParts;
        b.inlineWritesSingleMaxBytes = inlineWritesSingleMaxBytes;
        b.statsCollectionEnabled = statsCollectionEnabled;
        b.statsBudgetBytes = statsBudgetBytes;
        b.untrimmableColumns = untrimmableColumns;
        b.consolidate = consolidate;
        b.batchDeleteEnabled = batchDeleteEnabled;
        b.keyLowerMaxBytes = keyLowerMaxBytes;
        b.pageChecksums = pageChecksums;
        return b;
    }

    /** The first path component of every part this builder writes. */
    public WriterKey writerKey() {
        return writerKey;
    }

    /** A buffer whose encoded size reaches this is flushed as one part (0: every update is its own part). */
    public long blobTargetSizeBytes() {
        return blobTargetSizeBytes;
    }

    /** Uploads allowed in flight before {@code add} waits for the oldest (a stall). */
    public int maxOutstandingParts() {
        return maxOutstandingParts;
    }

    /** A part with fewer goodbytes than this is kept inline in the batch metadata (0: never). */
    public long inlineWritesSingleMaxBytes() {
        return inlineWritesSingleMaxBytes;
    }

    public boolean statsCollectionEnabled() {
        return statsCollectionEnabled;
    }

    public int statsBudgetBytes() {
        return statsBudgetBytes;
    }

    public UntrimmableColumns untrimmableColumns() {
        return untrimmableColumns;
    }

    /** Whether each part is sorted and consolidated before it is written. */
    public boolean consolidate() {
        return consolidate;
    }

    /** Whether {@link Batch#delete()} really deletes blobs (persist's {@code persist_batch_delete_enabled}). */
    public boolean batchDeleteEnabled() {
        return batchDeleteEnabled;
    }

    public int keyLowerMaxBytes() {
        return keyLowerMaxBytes;
    }

    /** Whether parts carry page checksums: see {@link Builder#pageChecksums}. */
    public boolean pageChecksums() {
        return pageChecksums;
    }

    @Override
    public String toString() {
        return "BatchBuilderConfig{writerKey=" + writerKey + ", blobTargetSizeBytes=" + blobTargetSizeBytes
                + ", maxOutstandingParts=" + maxOutstandingParts + ", inlineWritesSingleMaxBytes="
                + inlineWritesSingleMaxBytes + ", statsCollectionEnabled=" + statsCollectionEnabled
                + ", statsBudgetBytes=" + statsBudgetBytes + ", untrimmableColumns=" + untrimmableColumns
                + ", consolidate=" + consolidate + ", batchDeleteEnabled=" + batchDeleteEnabled
                + ", keyLowerMaxBytes=" + keyLowerMaxBytes + ", pageChecksums=" + pageChecksums + "}";
    }

    /** Collects and checks the knobs. */
    public static final class Builder {
        private WriterKey writerKey = WriterKey.current();
        private long blobTargetSizeBytes = DEFAULT_BLOB_TARGET_SIZE_BYTES;
        private int maxOutstandingParts = DEFAULT_MAX_OUTSTANDING_PARTS;
        private long inlineWritesSingleMaxBytes = DEFAULT_INLINE_WRITES_SINGLE_MAX_BYTES;
        private boolean statsCollectionEnabled = true;
        private int statsBudgetBytes = DEFAULT_STATS_BUDGET_BYTES;
        private UntrimmableColumns untrimmableColumns = UntrimmableColumns.DEFAULT;
        private boolean consolidate = true;
        private boolean batchDeleteEnabled = true;
        private int keyLowerMaxBytes = DEFAULT_KEY_LOWER_MAX_BYTES;
        private boolean pageChecksums = true;

        private Builder() {}

        public Builder writerKey(WriterKey writerKey) {
            this.writerKey = Objects.requireNonNull(writerKey, "writerKey");
            return this;
        }

        public Builder blobTargetSizeBytes(long bytes) {
            if (bytes < 0 || bytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("blob target size must be in [0, " + Integer.MAX_VALUE
                        + "] bytes (a part's key and value data are each limited to 2 GiB), was " + bytes);
            }
            this.blobTargetSizeBytes = bytes;
            return this;
        }

        public Builder maxOutstandingParts(int parts) {
            if (parts < 1) {
                throw new IllegalArgumentException("max outstanding parts must be at least 1, was " + parts);
            }
            this.maxOutstandingParts = parts;
            return this;
        }

        public Builder inlineWritesSingleMaxBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("inline write threshold must not be negative, was " + bytes);
            }
            this.inlineWritesSingleMaxBytes = bytes;
            return this;
        }

        public Builder statsCollectionEnabled(boolean enabled) {
            this.statsCollectionEnabled = enabled;
            return this;
        }

        public Builder statsBudgetBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("stats budget must not be negative, was " + bytes);
            }
            this.statsBudgetBytes = bytes;
            return this;
        }

        public Builder untrimmableColumns(UntrimmableColumns columns) {
            this.untrimmableColumns = Objects.requireNonNull(columns, "untrimmableColumns");
            return this;
        }

        public Builder consolidate(boolean consolidate) {
            this.consolidate = consolidate;
            return this;
        }

        public Builder batchDeleteEnabled(boolean enabled) {
            this.batchDeleteEnabled = enabled;
            return this;
        }

        public Builder keyLowerMaxBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("key lower length must be at least 1 byte, was " + bytes);
            }
            this.keyLowerMaxBytes = bytes;
            return this;
        }

        /**
         * Whether parts carry a CRC32 checksum on every Parquet page (on by default), which every read verifies.
         * Without, a damaged page is caught only where it breaks the part's structure, its recorded length or its
         * diffs sum; persist itself writes none.
         */
        public Builder pageChecksums(boolean enabled) {
            this.pageChecksums = enabled;
            return this;
        }

        public BatchBuilderConfig build() {
            return new BatchBuilderConfig(this);
        }
    }
}
