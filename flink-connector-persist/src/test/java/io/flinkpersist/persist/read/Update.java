package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/** One update as plain values, compared by content, for expectations and results in tests. */
record Update(byte[] key, byte[] value, long time, long diff) {
    /** The order of a sorted run: unsigned bytes, then unsigned time. */
    static final Comparator<Update> KEY_VAL_TIME = (a, b) -> {
        int c = Arrays.compareUnsigned(a.key, b.key);
        if (c == 0) {
            c = Arrays.compareUnsigned(a.value, b.value);
        }
        return c != 0 ? c : Long.compareUnsigned(a.time, b.time);
    };

    static Update of(String key, String value, long time, long diff) {
        return new Update(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), time, diff);
    }

    Update withTime(long newTime) {
        return new Update(key, value, newTime, diff);
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

    static List<Update> list(ColumnarRecords records) {
        List<Update> updates = new ArrayList<>(records.len());
        for (int i = 0; i < records.len(); i++) {
            updates.add(new Update(records.key(i), records.value(i), records.time(i), records.diff(i)));
        }
        return updates;
    }

    static List<Update> drain(Consolidator merge) {
        List<Update> updates = new ArrayList<>();
        while (merge.next()) {
            updates.add(new Update(merge.key(), merge.value(), merge.time(), merge.diff()));
        }
        return updates;
    }

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
        return "(" + hex.formatHex(key) + ", " + hex.formatHex(value) + ", " + Long.toUnsignedString(time) + ", "
                + diff + ")";
    }
}
