package io.flinkpersist.persist;

import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.time.Frontier;

/**
 * A call that can never succeed as made: a bug in the caller, reported at once and never retried. Each
 * kind carries the offending values, after persist's {@code InvalidUsage}.
 */
public abstract sealed class InvalidUsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private InvalidUsageException(String message) {
        super(message);
    }

    /** An update at a time below the builder's lower. */
    public static final class UpdateNotBeyondLower extends InvalidUsageException {
        private static final long serialVersionUID = 1L;
        private final long ts;
        private final Frontier lower;

        public UpdateNotBeyondLower(long ts, Frontier lower) {
            super("timestamp " + ts + " is not beyond the batch lower " + lower);
            this.ts = ts;
            this.lower = lower;
        }

        public long ts() {
            return ts;
        }

        public Frontier lower() {
            return lower;
        }
    }

    /** An update at or beyond the upper the batch is finished with. */
    public static final class UpdateBeyondUpper extends InvalidUsageException {
        private static final long serialVersionUID = 1L;
        private final long ts;
        private final Frontier expectedUpper;

        public UpdateBeyondUpper(long ts, Frontier expectedUpper) {
            super("timestamp " + ts + " is not less than the batch upper " + expectedUpper);
            this.ts = ts;
            this.expectedUpper = expectedUpper;
        }

        public long ts() {
            return ts;
        }

        public Frontier expectedUpper() {
            return expectedUpper;
        }
    }

    /** An upper below the lower. */
    public static final class InvalidBounds extends InvalidUsageException {
        private static final long serialVersionUID = 1L;
        private final Frontier lower;
        private final Frontier upper;

        public InvalidBounds(Frontier lower, Frontier upper) {
            super("upper " + upper + " is less than lower " + lower);
            this.lower = lower;
            this.upper = upper;
        }

        public Frontier lower() {
            return lower;
        }

        public Frontier upper() {
            return upper;
        }
    }

    /** A batch whose bounds do not cover the interval it is appended as. */
    public static final class InvalidBatchBounds extends InvalidUsageException {
        private static final long serialVersionUID = 1L;
        private final Frontier batchLower;
        private final Frontier batchUpper;
        private final Frontier appendLower;
        private final Frontier appendUpper;

        public InvalidBatchBounds(Frontier batchLower, Frontier batchUpper, Frontier appendLower, Frontier appendUpper) {
            super("batch [" + batchLower + ", " + batchUpper + ") does not cover the append interval ["
                    + appendLower + ", " + appendUpper + ")");
            this.batchLower = batchLower;
            this.batchUpper = batchUpper;
            this.appendLower = appendLower;
            this.appendUpper = appendUpper;
        }

        public Frontier batchLower() {
            return batchLower;
        }

        public Frontier batchUpper() {
            return batchUpper;
        }

        public Frontier appendLower() {
            return appendLower;
        }

        public Frontier appendUpper() {
            return appendUpper;
        }
    }

    /** A rewrite_ts, or an append of a rewritten batch, that breaks one of the rewrite rules. */
    public static final class InvalidRewrite extends InvalidUsageException {
        private static final long serialVersionUID = 1L;

        public InvalidRewrite(String reason) {
            super("invalid rewrite: " + reason);
        }
    }

    /** A batch built for (or by a handle of) another shard. */
    public static final class BatchNotFromThisShard extends InvalidUsageException {
        private static final long serialVersionUID = 1L;
        private final String batchShard;
        private final ShardId handleShard;

        public BatchNotFromThisShard(String batchShard, ShardId handleShard) {
            super("batch was written for shard " + QuotedInput.of(batchShard) + " but used with shard " + handleShard);
            this.batchShard = batchShard;
            this.handleShard = handleShard;
        }

        public String batchShard() {
            return batchShard;
        }

        public ShardId handleShard() {
            return handleShard;
        }
    }

    /**
     * A transmittable batch that must not be appended: unreadable, or, checked completely before any append, with
     * a part, bound, run or version that the shard could not read back exactly as written. Names the shard, the
     * part (its key quoted, bounded and escaped) and the defect.
     */
    public static final class InvalidTransmittableBatch extends InvalidUsageException {
        private static final long serialVersionUID = 1L;

        /** What is wrong with the batch. */
        public enum Defect {
            UNREADABLE("not a readable ProtoBatch"),
            CHECKSUM_MISMATCH("damaged on its way"),
            NO_BATCH("no batch"),
            UNSUPPORTED_VERSION("written by a version this build must not read"),
            INVALID_BOUNDS("inconsistent bounds"),
            INVALID_RUNS("inconsistent runs"),
            UNKNOWN_RUN_ORDER("unknown run order"),
            UNSORTED_RUN("a run recorded as sorted is not"),
            MALFORMED_KEY("malformed part key"),
            DUPLICATE_KEY("part key listed twice"),
            UNSUPPORTED_PART("unsupported part"),
            MISSING_PART("part missing from blob"),
            SIZE_MISMATCH("part size differs from blob"),
            PART_MISMATCH("part differs from what the batch records of it"),
            INVALID_INLINE_PART("invalid inline part"),
            INVALID_REWRITE("inconsistent rewrite"),
            LEN_MISMATCH("update count differs from its parts");

            private final String description;

            Defect(String description) {
                this.description = description;
            }

            public String description() {
                return description;
            }
        }

        private final ShardId shardId;
        private final Defect defect;
        private final String part;

        /**
         * @param part which part, as printed in the message (its index and quoted key), or null for the whole batch
         */
        public InvalidTransmittableBatch(ShardId shardId, Defect defect, String part, String detail) {
            super("invalid transmittable batch for shard " + shardId + ": " + defect.description()
                    + (part == null ? "" : " at " + part) + ": " + detail);
            this.shardId = shardId;
            this.defect = defect;
            this.part = part;
        }

        public ShardId shardId() {
            return shardId;
        }

        public Defect defect() {
            return defect;
        }

        /** The part as the message names it, or null if the defect is the whole batch's. */
        public String part() {
            return part;
        }
    }

    /** The same blob part twice in one append: its updates would count twice. */
    public static final class DuplicatePart extends InvalidUsageException {
        private static final long serialVersionUID = 1L;

        public DuplicatePart(ShardId shardId, String key) {
            super("part " + QuotedInput.of(key) + " appears more than once in one append to shard " + shardId
                    + ": its updates would count twice");
        }
    }

    /** A handle whose codecs differ from the ones the shard was created with. */
    public static final class CodecMismatch extends InvalidUsageException {
        private static final long serialVersionUID = 1L;

        public CodecMismatch(ShardId shardId, String shardCodecs, String requestedCodecs) {
            super("shard " + shardId + " was created with codecs " + shardCodecs + " but was opened with " + requestedCodecs);
        }
    }

    /** An append of parts over an empty time interval (lower = upper): they could never be read. */
    public static final class InvalidEmptyTimeInterval extends InvalidUsageException {
        private static final long serialVersionUID = 1L;

        public InvalidEmptyTimeInterval(Frontier lower, Frontier upper) {
            super("an append with data needs a non-empty interval, but lower " + lower + " equals upper " + upper);
        }
    }

    /** A read at a time the shard can no longer distinguish: below its since. */
    public static final class AsOfBelowSince extends InvalidUsageException {
        private static final long serialVersionUID = 1L;

        public AsOfBelowSince(long asOf, Frontier since) {
            super("cannot read as of " + asOf + ": history below the shard's since " + since + " has been compacted");
        }
    }
}
