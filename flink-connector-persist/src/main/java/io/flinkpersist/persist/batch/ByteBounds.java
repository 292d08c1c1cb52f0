package io.flinkpersist.persist.batch;

import java.util.Arrays;

/** Short bounds on unsigned-lexicographic byte strings, for key lowers and part stats. */
final class ByteBounds {
    private ByteBounds() {}

    /** A prefix of at most {@code maxLen} bytes: never greater than the value. */
    static byte[] truncateLower(byte[] value, int maxLen) {
        return value.length <= maxLen ? value : Arrays.copyOf(value, maxLen);
    }

    /**
     * A string of at most {@code maxLen} bytes that is never less than the value: the prefix with its last
     * byte that is not 0xff incremented (and what follows dropped). Null if no such string exists, because
     * the prefix is all 0xff.
     */
    static byte[] truncateUpper(byte[] value, int maxLen) {
        if (value.length <= maxLen) {
            return value;
        }
        for (int i = maxLen - 1; i >= 0; i--) {
            if (value[i] != (byte) 0xff) {
                byte[] upper = Arrays.copyOf(value, i + 1);
                upper[i]++;
                return upper;
            }
        }
        return null;
    }
}
