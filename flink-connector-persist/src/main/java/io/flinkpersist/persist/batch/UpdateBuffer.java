package io.flinkpersist.persist.batch;

import io.flinkpersist.persist.batch.part.ConsolidatingOrder;
import java.util.Arrays;

/**
 * The in-memory updates of the part being built: keys and values appended to two growing byte arrays, with
 * offsets, times and diffs in primitive arrays, so that buffering a record allocates nothing per record.
 *
 * <p>{@link #order(boolean)} yields the records to write: as added, or sorted by (key, value, time) with
 * equal ones summed and zero sums dropped (consolidation).
 */
final class UpdateBuffer {
    private byte[] keyData = new byte[1024];
    private byte[] valData = new byte[1024];
    private int keyBytes;
    private int valBytes;
    /** Update {@code i}'s key is {@code keyData[keyOffsets[i], keyOffsets[i + 1])}. */
    private int[] keyOffsets = new int[65];
    private int[] valOffsets = new int[65];
    private long[] times = new long[64];
    private long[] diffs = new long[64];
    private int len;

    int len() {
        return len;
    }

    int keyBytes() {
        return keyBytes;
    }

    int valBytes() {
        return valBytes;
    }

    void push(byte[] key, byte[] value, long time, long diff) {
        if (len == times.length) {
            int capacity = Math.max(64, len * 2);
            keyOffsets = Arrays.copyOf(keyOffsets, capacity + 1);
            valOffsets = Arrays.copyOf(valOffsets, capacity + 1);
            times = Arrays.copyOf(times, capacity);
            diffs = Arrays.copyOf(diffs, capacity);
        }
        keyData = append(keyData, keyBytes, key);
        keyBytes += key.length;
        valData = append(valData, valBytes, value);
        valBytes += value.length;
        keyOffsets[len + 1] = keyBytes;
        valOffsets[len + 1] = valBytes;
        times[len] = time;
        diffs[len] = diff;
        len++;
    }

    private static byte[] append(byte[] data, int used, byte[] extra) {
        long needed = (long) used + extra.length;
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a single part's key or value data cannot exceed 2 GiB; "
                    + "lower the blob target size or write smaller records");
        }
        if (needed > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, (long) data.length * 2)));
        }
        System.arraycopy(extra, 0, data, used, extra.length);
        return data;
    }

    int keyStart(int i) {
        return keyOffsets[i];
    }

    int keyEnd(int i) {
        return keyOffsets[i + 1];
    }

    int valStart(int i) {
        return valOffsets[i];
    }

    int valEnd(int i) {
        return valOffsets[i + 1];
    }

    byte[] keyData() {
        return keyData;
    }

    byte[] valData() {
        return valData;
    }

    long time(int i) {
        return times[i];
    }

    long diff(int i) {
        return diffs[i];
    }

    /** Receives the records of the buffer in write order. */
    interface RecordSink {
        void accept(int index, long diff);
    }

    /**
     * Visits the records to write, in insertion order or consolidated: sorted by (key, value, time) as
     * unsigned bytes and numbers, equal records' diffs summed (wrapping, like persist's i64 diffs), zero sums
     * skipped. Returns how many records were visited.
     */
    int order(boolean consolidate, RecordSink sink) {
        if (!consolidate) {
            for (int i = 0; i < len; i++) {
                sink.accept(i, diffs[i]);
            }
            return len;
        }
        return ConsolidatingOrder.visit(len, keyData, keyOffsets, valData, valOffsets, this::compare,
                i -> diffs[i], sink::accept);
    }

    /** Orders two buffered records by key, then value (unsigned lexicographic bytes), then time. */
    int compare(int a, int b) {
        int c = Arrays.compareUnsigned(keyData, keyOffsets[a], keyOffsets[a + 1], keyData, keyOffsets[b],
                keyOffsets[b + 1]);
        if (c != 0) {
            return c;
        }
        c = Arrays.compareUnsigned(valData, valOffsets[a], valOffsets[a + 1], valData, valOffsets[b],
                valOffsets[b + 1]);
        if (c != 0) {
            return c;
        }
        return Long.compare(times[a], times[b]);
    }

    /** Empties the buffer, keeping (bounded) capacity for the next part. */
    /** The bytes of the buffer's arrays: what it holds however few updates it has (clearing keeps them). */
    long capacityBytes() {
        return (long) keyData.length + valData.length + (long) Integer.BYTES * (keyOffsets.length + valOffsets.length)
                + (long) Long.BYTES * (times.length + diffs.length);
    }

    void clear() {
        len = 0;
        keyBytes = 0;
        valBytes = 0;
    }
}
