package io.flinkpersist.persist.testutils;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.util.Arrays;

/**
 * The least and greatest key, value, time and diff of a non-empty part, found by sorting copies of each column: the
 * tests' own reckoning of what part stats must bound.
 */
public record PartBounds(byte[] minKey, byte[] maxKey, byte[] minValue, byte[] maxValue, long minTime, long maxTime,
        long minDiff, long maxDiff) {

    public static PartBounds of(ColumnarRecords updates) {
        int len = updates.len();
        byte[][] keys = new byte[len][];
        byte[][] values = new byte[len][];
        long[] times = new long[len];
        long[] diffs = new long[len];
        for (int i = 0; i < len; i++) {
            keys[i] = updates.key(i);
            values[i] = updates.value(i);
            times[i] = updates.time(i);
            diffs[i] = updates.diff(i);
        }
        Arrays.sort(keys, Arrays::compareUnsigned);
        Arrays.sort(values, Arrays::compareUnsigned);
        Arrays.sort(times);
        Arrays.sort(diffs);
        return new PartBounds(keys[0], keys[len - 1], values[0], values[len - 1], times[0], times[len - 1], diffs[0],
                diffs[len - 1]);
    }

    /** A lower bound of at most {@code maxBytes} bytes: the prefix. */
    public static byte[] lower(byte[] min, int maxBytes) {
        return Arrays.copyOf(min, Math.min(min.length, maxBytes));
    }

    /**
     * An upper bound of at most {@code maxBytes} bytes: the value if it fits, else its prefix up to the last byte
     * that is not 0xff, that byte incremented; null if there is none.
     */
    public static byte[] upper(byte[] max, int maxBytes) {
        if (max.length <= maxBytes) {
            return max;
        }
        int last = maxBytes - 1;
        while (last >= 0 && max[last] == (byte) 0xff) {
            last--;
        }
        if (last < 0) {
            return null;
        }
        byte[] upper = Arrays.copyOf(max, last + 1);
        upper[last]++;
        return upper;
    }
}
