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
            super("batch was written for shard " + batchShard + " but used with shard " + handleShard);
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

    /** A transmittable batch whose metadata cannot be read (an unparsable version, a missing batch). */
    public static final class InvalidTransmittableBatch extends InvalidUsageException {
        private static final long serialVersionUID = 1L;

        public InvalidTransmittableBatch(String reason) {
            super("invalid transmittable batch: " + reason);
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
