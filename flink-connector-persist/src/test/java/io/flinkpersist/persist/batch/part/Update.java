package io.flinkpersist.persist.batch.part;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** One update as plain values, for writing expectations and reading results in tests. */
record Update(byte[] key, byte[] value, long time, long diff) {
    /** Empty and all-zero keys and values, bytes with the high bit set, a value over 1 MiB, extreme times and diffs. */
    static final List<Update> EDGE_CASES = List.of(
            new Update(new byte[0], new byte[0], 0, 1),
            new Update(new byte[] {0, 0, 0}, new byte[] {0}, 1, -1),
            new Update(new byte[] {(byte) 0xff, 0, (byte) 0x80}, new byte[] {'v'}, 2, Long.MIN_VALUE),
            new Update(new byte[] {'k'}, randomBytes(3 << 20, 7), Long.MAX_VALUE, Long.MAX_VALUE),
            Update.of("k", "later update of the same key", 5, -42));

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static Update of(String key, String value, long time, long diff) {
        return new Update(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), time, diff);
    }

    static ColumnarRecords records(List<Update> updates) {
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        for (Update u : updates) {
            if (!builder.push(u.key, u.value, u.time, u.diff)) {
                throw new AssertionError("update does not fit");
            }
        }
        return builder.build();
    }

    static ColumnarRecords records(Update... updates) {
        return records(List.of(updates));
    }

    static List<Update> listOf(ColumnarRecords records) {
        List<Update> out = new ArrayList<>();
        for (int i = 0; i < records.len(); i++) {
            out.add(new Update(records.key(i), records.value(i), records.time(i), records.diff(i)));
        }
        return out;
    }

    // Arrays compare by identity in records; tests compare updates by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof Update other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value)
                && time == other.time && diff == other.diff;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + Long.hashCode(time) * 7 + Long.hashCode(diff);
    }

    @Override
    public String toString() {
        return "(" + Arrays.toString(key) + ", " + Arrays.toString(value) + ", " + time + ", " + diff + ")";
    }
}
