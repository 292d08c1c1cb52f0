package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.util.function.LongPredicate;
import java.util.function.LongUnaryOperator;

/**
 * Filters and moves the times of a part, as reads do: a snapshot keeps {@code t <= asOf} and advances every time to
 * {@code asOf}; a listen keeps {@code asOf < t} and {@code frontier <= t} without moving them.
 */
public final class PartTimes {
    private PartTimes() {}

    /**
     * The updates whose time passes {@code keep}, each with its time replaced by {@code advance(time)}; keys, values
     * and diffs unchanged, order kept. Returns {@code records} itself when nothing changes.
     *
     * <p>A sorted part stays sorted when {@code advance} is monotone (such as {@code max(t, f)}), but equal
     * (key, value, time) may then sit side by side; the {@link Consolidator} sums them. For any other
     * {@code advance}, sort the result with {@link PartSorter#sortAndConsolidate}.
     */
    public static ColumnarRecords mapTimes(ColumnarRecords records, LongPredicate keep, LongUnaryOperator advance) {
        long[] moved = null;
        for (int i = 0; i < records.len(); i++) {
            long time = records.time(i);
            if (!keep.test(time)) {
                return filtered(records, keep, advance);
            }
            long advanced = advance.applyAsLong(time);
            if (moved == null && advanced != time) {
                moved = new long[records.len()];
                for (int j = 0; j < i; j++) {
                    moved[j] = records.time(j);
                }
            }
            if (moved != null) {
                moved[i] = advanced;
            }
        }
        // Every update kept: only times move, and the keys and values are shared rather than copied.
        return moved == null ? records : records.withTimes(moved);
    }

    private static ColumnarRecords filtered(ColumnarRecords records, LongPredicate keep, LongUnaryOperator advance) {
        long[] moved = new long[records.len()];
        int kept = 0;
        for (int i = 0; i < records.len(); i++) {
            moved[i] = advance.applyAsLong(records.time(i));
            if (keep.test(records.time(i))) {
                kept++;
            }
        }
        ColumnarRecords advanced = records.withTimes(moved);
        ColumnarRecords.Builder out = ColumnarRecords.builder()
                .reserve(kept, records.keyBytes(), records.valueBytes());
        for (int i = 0; i < records.len(); i++) {
            if (keep.test(records.time(i))) {
                // Fits: the output is a subset of the input, whose columns were within the limits.
                out.push(advanced, i, advanced.diff(i));
            }
        }
        return out.build();
    }
}
