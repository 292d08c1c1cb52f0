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
        if (isUnchanged(records, keep, advance)) {
            return records;
        }
        ColumnarRecords.Builder out = ColumnarRecords.builder()
                .reserve(records.len(), records.keyBytes(), records.valueBytes());
        for (int i = 0; i < records.len(); i++) {
            long time = records.time(i);
            if (keep.test(time)) {
                // Fits: the output is a subset of the input, whose columns were within the limits.
                out.push(records.key(i), records.value(i), advance.applyAsLong(time), records.diff(i));
            }
        }
        return out.build();
    }

    private static boolean isUnchanged(ColumnarRecords records, LongPredicate keep, LongUnaryOperator advance) {
        for (int i = 0; i < records.len(); i++) {
            long time = records.time(i);
            if (!keep.test(time) || advance.applyAsLong(time) != time) {
                return false;
            }
        }
        return true;
    }
}
