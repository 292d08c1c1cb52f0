package io.flinkpersist.persist.batch.part;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.flinkpersist.persist.proto.part.ProtoColumnarRecords;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * An immutable list of {@code ((key, value), time, diff)} updates stored column by column, as in a persist part:
 * all keys back to back with {@code len + 1} offsets (update {@code i}'s key is
 * {@code keyData[keyOffsets[i], keyOffsets[i + 1])}), the same for values, and one {@code long} time and diff per
 * update. Times and diffs are persist's Codec64 values: the 8 little-endian bytes read as a {@code long}.
 *
 * <p>The arrays may be longer than what is used (builders hand theirs over without trimming); everything here
 * looks only at the first {@code len} updates. Nothing is checked about the values themselves: the time and diff
 * rules belong to {@link BlobTraceBatchPart#validate()}.
 */
public final class ColumnarRecords {
    /**
     * Persist's cap on a key (or value) column: its data plus 4 bytes per offset must fit a signed 32-bit size,
     * because Parquet pages and Arrow binary arrays use {@code i32} offsets.
     */
    public static final long KEY_VAL_DATA_MAX_LEN = Integer.MAX_VALUE;

    public static final ColumnarRecords EMPTY = new Builder().build();

    private final int len;
    private final byte[] keyData;
    private final int[] keyOffsets;
    private final byte[] valData;
    private final int[] valOffsets;
    private final long[] times;
    private final long[] diffs;

    /** Trusts its caller for the offsets' shape; {@link #fromProto} checks untrusted input first. */
    ColumnarRecords(int len, byte[] keyData, int[] keyOffsets, byte[] valData, int[] valOffsets, long[] times,
            long[] diffs) {
        if (keyOffsets.length <= len || valOffsets.length <= len || times.length < len || diffs.length < len
                || keyOffsets[len] > keyData.length || valOffsets[len] > valData.length) {
            throw new IllegalArgumentException("columns too short for " + len + " updates");
        }
        this.len = len;
        this.keyData = keyData;
        this.keyOffsets = keyOffsets;
        this.valData = valData;
        this.valOffsets = valOffsets;
        this.times = times;
        this.diffs = diffs;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The number of updates. */
    public int len() {
        return len;
    }

    public int keyLength(int i) {
        Objects.checkIndex(i, len);
        return keyOffsets[i + 1] - keyOffsets[i];
    }

    public int valueLength(int i) {
        Objects.checkIndex(i, len);
        return valOffsets[i + 1] - valOffsets[i];
    }

    /** A copy of update {@code i}'s key. */
    public byte[] key(int i) {
        Objects.checkIndex(i, len);
        return Arrays.copyOfRange(keyData, keyOffsets[i], keyOffsets[i + 1]);
    }

    /** A copy of update {@code i}'s value. */
    public byte[] value(int i) {
        Objects.checkIndex(i, len);
        return Arrays.copyOfRange(valData, valOffsets[i], valOffsets[i + 1]);
    }

    /**
     * These updates with update {@code i} at {@code newTimes[i]}: the keys, values and diffs are shared, not copied,
     * as built records never change. What a read that only moves times (a snapshot's advance, a rewritten part's
     * times) costs is then one array of times, not a copy of the part.
     */
    public ColumnarRecords withTimes(long[] newTimes) {
        if (newTimes.length < len) {
            throw new IllegalArgumentException(newTimes.length + " times for " + len + " updates");
        }
        return new ColumnarRecords(len, keyData, keyOffsets, valData, valOffsets, newTimes, diffs);
    }

    public long time(int i) {
        Objects.checkIndex(i, len);
        return times[i];
    }

    public long diff(int i) {
        Objects.checkIndex(i, len);
        return diffs[i];
    }

    /** Total bytes of all keys. */
    public long keyBytes() {
        return keyOffsets[len];
    }

    /** Total bytes of all values. */
    public long valueBytes() {
        return valOffsets[len];
    }

    /** The payload size persist compares against part-size thresholds: keys, values, 8 bytes per time and diff. */
    public long goodbytes() {
        return keyBytes() + valueBytes() + 16L * len;
    }

    /** The sum of {@link #recordSize} over the updates: what their arrays hold, offsets included. */
    public long recordBytes() {
        return goodbytes() + 2L * Integer.BYTES * len;
    }

    /** What one update adds to a buffer of pending updates: its bytes, its two offsets, its time and diff. */
    public static long recordSize(int keyLength, int valueLength) {
        return (long) keyLength + valueLength + Integer.BYTES + Integer.BYTES + Long.BYTES + Long.BYTES;
    }

    /** Whether a column of {@code dataBytes} bytes holding {@code values} values stays within {@link #KEY_VAL_DATA_MAX_LEN}. */
    static boolean withinColumnLimit(long dataBytes, long values) {
        return dataBytes + Integer.BYTES * (values + 1) <= KEY_VAL_DATA_MAX_LEN;
    }

    /**
     * Orders update {@code i} against update {@code j} by key, then value (both as unsigned bytes, shorter prefix
     * first), then time (as persist's u64). Diffs are not compared: this is the order of a sorted run.
     */
    public int compareKeyValTime(int i, int j) {
        return compareKeyValTime(i, this, j);
    }

    /** Like {@link #compareKeyValTime(int, int)}, against update {@code j} of {@code other}. */
    public int compareKeyValTime(int i, ColumnarRecords other, int j) {
        Objects.checkIndex(i, len);
        Objects.checkIndex(j, other.len);
        int byKey = Arrays.compareUnsigned(keyData, keyOffsets[i], keyOffsets[i + 1],
                other.keyData, other.keyOffsets[j], other.keyOffsets[j + 1]);
        if (byKey != 0) {
            return byKey;
        }
        int byValue = Arrays.compareUnsigned(valData, valOffsets[i], valOffsets[i + 1],
                other.valData, other.valOffsets[j], other.valOffsets[j + 1]);
        return byValue != 0 ? byValue : Long.compareUnsigned(times[i], other.times[j]);
    }

    /** Like {@link #compareKeyValTime(int, int)}, against an update given as its key, value and time. */
    public int compareKeyValTime(int i, byte[] key, byte[] value, long time) {
        Objects.checkIndex(i, len);
        int byKey = Arrays.compareUnsigned(keyData, keyOffsets[i], keyOffsets[i + 1], key, 0, key.length);
        if (byKey != 0) {
            return byKey;
        }
        int byValue = Arrays.compareUnsigned(valData, valOffsets[i], valOffsets[i + 1], value, 0, value.length);
        return byValue != 0 ? byValue : Long.compareUnsigned(times[i], time);
    }

    /** Orders the keys of updates {@code i} and {@code j} as unsigned bytes. */
    public int compareKeys(int i, int j) {
        Objects.checkIndex(i, len);
        Objects.checkIndex(j, len);
        return Arrays.compareUnsigned(keyData, keyOffsets[i], keyOffsets[i + 1], keyData, keyOffsets[j], keyOffsets[j + 1]);
    }

    /** Orders the values of updates {@code i} and {@code j} as unsigned bytes. */
    public int compareValues(int i, int j) {
        Objects.checkIndex(i, len);
        Objects.checkIndex(j, len);
        return Arrays.compareUnsigned(valData, valOffsets[i], valOffsets[i + 1], valData, valOffsets[j], valOffsets[j + 1]);
    }

    /**
     * Visits the updates sorted by (key, value, time), the diffs of equal ones summed (wrapping) and zero sums
     * skipped; returns how many were visited.
     */
    public int consolidatedOrder(ConsolidatingOrder.Sink sink) {
        return ConsolidatingOrder.visit(len, keyData, keyOffsets, valData, valOffsets, this::compareKeyValTime,
                i -> diffs[i], sink);
    }

    /** The index of an update with the smallest key; the records must not be empty. */
    public int minKeyIndex() {
        if (len == 0) {
            throw new IllegalStateException("empty records have no minimum key");
        }
        int min = 0;
        for (int i = 1; i < len; i++) {
            if (compareKeys(i, min) < 0) {
                min = i;
            }
        }
        return min;
    }

    // Package-private views for the codecs; callers must not write to them.

    byte[] keyData() {
        return keyData;
    }

    int[] keyOffsets() {
        return keyOffsets;
    }

    byte[] valData() {
        return valData;
    }

    int[] valOffsets() {
        return valOffsets;
    }

    long[] times() {
        return times;
    }

    long[] diffs() {
        return diffs;
    }

    /** The persist.proto form, used by inline parts. The byte columns are shared with the message, not copied. */
    public ProtoColumnarRecords toProto() {
        // Safe to wrap without copying: these arrays are never written after construction.
        ProtoColumnarRecords.Builder proto = ProtoColumnarRecords.newBuilder()
                .setLen(len)
                .setKeyData(UnsafeByteOperations.unsafeWrap(keyData, 0, keyOffsets[len]))
                .setValData(UnsafeByteOperations.unsafeWrap(valData, 0, valOffsets[len]));
        for (int i = 0; i <= len; i++) {
            proto.addKeyOffsets(keyOffsets[i]);
            proto.addValOffsets(valOffsets[i]);
        }
        for (int i = 0; i < len; i++) {
            proto.addTimestamps(times[i]);
            proto.addDiffs(diffs[i]);
        }
        return proto.build();
    }

    /** Reads and checks the persist.proto form; anything malformed is a {@link MalformedColumnarRecordsException}. */
    public static ColumnarRecords fromProto(ProtoColumnarRecords proto) {
        if (proto.hasKeyStructured() || proto.hasValStructured()) {
            throw new MalformedColumnarRecordsException(
                    "structured key/value columns are not supported, only codec-encoded (binary) keys and values");
        }
        long declared = proto.getLen();
        if (declared < 0 || declared >= BinaryColumnBuilder.MAX_ARRAY_LENGTH) {
            throw new MalformedColumnarRecordsException("len " + Long.toUnsignedString(declared) + " is too large");
        }
        int len = (int) declared;
        requireCount("timestamps", proto.getTimestampsCount(), len, "len");
        requireCount("diffs", proto.getDiffsCount(), len, "len");
        int[] keyOffsets = checkedOffsets(
                "key", proto.getKeyOffsetsCount(), proto::getKeyOffsets, len, proto.getKeyData());
        int[] valOffsets = checkedOffsets(
                "val", proto.getValOffsetsCount(), proto::getValOffsets, len, proto.getValData());
        long[] times = new long[len];
        long[] diffs = new long[len];
        for (int i = 0; i < len; i++) {
            times[i] = proto.getTimestamps(i);
            diffs[i] = proto.getDiffs(i);
        }
        return new ColumnarRecords(len, proto.getKeyData().toByteArray(), keyOffsets,
                proto.getValData().toByteArray(), valOffsets, times, diffs);
    }

    private static void requireCount(String field, int actual, long expected, String expectedName) {
        if (actual != expected) {
            throw new MalformedColumnarRecordsException(
                    field + " has " + actual + " entries, expected " + expectedName + " = " + expected);
        }
    }

    private static int[] checkedOffsets(String column, int count, IntUnaryOperator offsetAt, int len,
            ByteString data) {
        requireCount(column + "_offsets", count, len + 1L, "len + 1");
        int[] offsets = new int[len + 1];
        int previous = 0;
        for (int i = 0; i <= len; i++) {
            int offset = offsetAt.applyAsInt(i);
            if (i == 0 && offset != 0) {
                throw new MalformedColumnarRecordsException(column + "_offsets[0] is " + offset + ", expected 0");
            }
            if (offset < previous) {
                throw new MalformedColumnarRecordsException(column + "_offsets[" + i + "] = " + offset
                        + " is below " + column + "_offsets[" + (i - 1) + "] = " + previous);
            }
            offsets[i] = offset;
            previous = offset;
        }
        if (offsets[len] != data.size()) {
            throw new MalformedColumnarRecordsException(column + "_offsets ends at " + offsets[len] + " but "
                    + column + "_data has " + data.size() + " bytes");
        }
        return offsets;
    }

    /** Equal when the updates are, in the same order; spare array capacity does not count. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ColumnarRecords other) || other.len != len) {
            return false;
        }
        return Arrays.equals(keyOffsets, 0, len + 1, other.keyOffsets, 0, len + 1)
                && Arrays.equals(valOffsets, 0, len + 1, other.valOffsets, 0, len + 1)
                && Arrays.equals(keyData, 0, keyOffsets[len], other.keyData, 0, other.keyOffsets[len])
                && Arrays.equals(valData, 0, valOffsets[len], other.valData, 0, other.valOffsets[len])
                && Arrays.equals(times, 0, len, other.times, 0, len)
                && Arrays.equals(diffs, 0, len, other.diffs, 0, len);
    }

    @Override
    public int hashCode() {
        int hash = len;
        for (int i = 0; i < len; i++) {
            hash = 31 * hash + Long.hashCode(times[i]);
            hash = 31 * hash + Long.hashCode(diffs[i]);
            hash = 31 * hash + keyOffsets[i + 1];
            hash = 31 * hash + valOffsets[i + 1];
        }
        return hash;
    }

    @Override
    public String toString() {
        return "ColumnarRecords(len=" + len + ", goodbytes=" + goodbytes() + ")";
    }

    /**
     * Collects updates into new {@link ColumnarRecords}. {@link #push} refuses an update that would take the key or
     * the value column past {@link #KEY_VAL_DATA_MAX_LEN}, so the caller can start another part.
     */
    public static final class Builder {
        private BinaryColumnBuilder keys = new BinaryColumnBuilder();
        private BinaryColumnBuilder values = new BinaryColumnBuilder();
        private long[] times = new long[0];
        private long[] diffs = new long[0];

        private Builder() {}

        /** Makes room for this many more updates and bytes; a hint that saves growing (and copying) the arrays. */
        public Builder reserve(int moreUpdates, long moreKeyBytes, long moreValueBytes) {
            keys.reserve(moreUpdates, moreKeyBytes);
            values.reserve(moreUpdates, moreValueBytes);
            ensureTimesAndDiffs(Math.min(BinaryColumnBuilder.MAX_ARRAY_LENGTH, len() + (long) moreUpdates));
            return this;
        }

        public boolean push(byte[] key, byte[] value, long time, long diff) {
            return push(key, 0, key.length, value, 0, value.length, time, diff);
        }

        /**
         * Appends one update, copying the given key and value slices. Returns false, and appends nothing, if the
         * update would not fit the column limit.
         */
        public boolean push(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength,
                long time, long diff) {
            Objects.checkFromIndexSize(keyOffset, keyLength, key.length);
            Objects.checkFromIndexSize(valueOffset, valueLength, value.length);
            if (!keys.fits(keyLength) || !values.fits(valueLength)) {
                return false;
            }
            int i = len();
            ensureTimesAndDiffs(i + 1L);
            keys.append(key, keyOffset, keyLength);
            values.append(value, valueOffset, valueLength);
            times[i] = time;
            diffs[i] = diff;
            return true;
        }

        /**
         * Appends update {@code i} of {@code source} with {@code diff}, copying its key and value from where they
         * lie. Returns false, and appends nothing, if the update would not fit the column limit.
         */
        public boolean push(ColumnarRecords source, int i, long diff) {
            Objects.checkIndex(i, source.len);
            int keyStart = source.keyOffsets[i];
            int valStart = source.valOffsets[i];
            return push(source.keyData, keyStart, source.keyOffsets[i + 1] - keyStart, source.valData, valStart,
                    source.valOffsets[i + 1] - valStart, source.times[i], diff);
        }

        /**
         * Orders update {@code i} of {@code source} against the last update pushed, as
         * {@link ColumnarRecords#compareKeyValTime(int, ColumnarRecords, int)} does; only when {@link #len} > 0.
         */
        public int compareToLast(ColumnarRecords source, int i) {
            Objects.checkIndex(i, source.len);
            int last = len() - 1;
            int[] keyOffsets = keys.offsets();
            int byKey = Arrays.compareUnsigned(source.keyData, source.keyOffsets[i], source.keyOffsets[i + 1],
                    keys.data(), keyOffsets[last], keyOffsets[last + 1]);
            if (byKey != 0) {
                return byKey;
            }
            int[] valOffsets = values.offsets();
            int byValue = Arrays.compareUnsigned(source.valData, source.valOffsets[i], source.valOffsets[i + 1],
                    values.data(), valOffsets[last], valOffsets[last + 1]);
            return byValue != 0 ? byValue : Long.compareUnsigned(source.times[i], times[last]);
        }

        /** The bytes of the builder's arrays, spare capacity included. */
        public long capacityBytes() {
            return keys.capacityBytes() + values.capacityBytes() + (long) Long.BYTES * (times.length + diffs.length);
        }

        /** The number of updates pushed since the last {@link #build}. */
        public int len() {
            return keys.count();
        }

        /** The updates pushed so far; the builder starts over empty. */
        public ColumnarRecords build() {
            ColumnarRecords built = new ColumnarRecords(len(), keys.data(), keys.offsets(), values.data(),
                    values.offsets(), times, diffs);
            keys = new BinaryColumnBuilder();
            values = new BinaryColumnBuilder();
            times = new long[0];
            diffs = new long[0];
            return built;
        }

        private void ensureTimesAndDiffs(long needed) {
            if (needed > times.length) {
                int grown = (int) Math.min(BinaryColumnBuilder.MAX_ARRAY_LENGTH,
                        Math.max(needed, times.length + (times.length >> 1) + 16L));
                times = Arrays.copyOf(times, grown);
                diffs = Arrays.copyOf(diffs, grown);
            }
        }
    }
}
