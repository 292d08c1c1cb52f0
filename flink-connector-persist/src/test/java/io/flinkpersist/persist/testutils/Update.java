package io.flinkpersist.persist.testutils;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.read.Consolidator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** One update as plain values, compared by content, for expectations and results in tests. */
public record Update(byte[] key, byte[] value, long time, long diff) {
    /** The order of a sorted run: unsigned bytes, then unsigned time. */
    public static final Comparator<Update> KEY_VAL_TIME = (a, b) -> {
        int c = Arrays.compareUnsigned(a.key, b.key);
        if (c == 0) {
            c = Arrays.compareUnsigned(a.value, b.value);
        }
        return c != 0 ? c : Long.compareUnsigned(a.time, b.time);
    };

    /** Empty and all-zero keys and values, bytes with the high bit set, a value over 1 MiB, extreme times and diffs. */
    public static final List<Update> EDGE_CASES = List.of(
            new Update(new byte[0], new byte[0], 0, 1),
            new Update(new byte[] {0, 0, 0}, new byte[] {0}, 1, -1),
            new Update(new byte[] {(byte) 0xff, 0, (byte) 0x80}, new byte[] {'v'}, 2, Long.MIN_VALUE),
            new Update(new byte[] {'k'}, randomBytes(3 << 20, 7), Long.MAX_VALUE, Long.MAX_VALUE),
            Update.of("k", "later update of the same key", 5, -42));

    public static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static Update of(String key, String value, long time, long diff) {
        return new Update(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), time, diff);
    }

    public Update withTime(long newTime) {
        return new Update(key, value, newTime, diff);
    }

    public static ColumnarRecords records(List<Update> updates) {
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        for (Update u : updates) {
            if (!builder.push(u.key, u.value, u.time, u.diff)) {
                throw new AssertionError("update does not fit");
            }
        }
        return builder.build();
    }

    public static ColumnarRecords records(Update... updates) {
        return records(List.of(updates));
    }

    public static List<Update> list(ColumnarRecords records) {
        List<Update> updates = new ArrayList<>(records.len());
        for (int i = 0; i < records.len(); i++) {
            updates.add(new Update(records.key(i), records.value(i), records.time(i), records.diff(i)));
        }
        return updates;
    }

    public static List<Update> drain(Consolidator merge) {
        List<Update> updates = new ArrayList<>();
        while (merge.next()) {
            updates.add(new Update(merge.key(), merge.value(), merge.time(), merge.diff()));
        }
        return updates;
    }

    // Arrays compare by identity in records; tests compare updates by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof Update other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value)
                && time == other.time && diff == other.diff;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + Long.hashCode(time))
                + Long.hashCode(diff);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        String shownValue = value.length > 64 ? hex.formatHex(value, 0, 64) + "…(" + value.length + " bytes)" : hex.formatHex(value);
        return "(" + hex.formatHex(key) + ", " + shownValue + ", " + Long.toUnsignedString(time) + ", " + diff + ")";
    }
}
