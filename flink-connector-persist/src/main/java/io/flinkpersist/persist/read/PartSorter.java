package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.ColumnarRecords;

/**
 * Turns a part that may be in any order (written with {@code consolidate = false}, or whose times were mapped by a
 * non-monotone function) into a sorted, consolidated one that can be merged as a run.
 */
public final class PartSorter {
    private PartSorter() {}

    /**
     * The updates sorted by (key, value, time), the diffs of equal ones summed (wrapping) and zero sums dropped.
     * Returns {@code records} itself when it already is so, which is the common case for consolidated batches.
     */
    public static ColumnarRecords sortAndConsolidate(ColumnarRecords records) {
        if (isConsolidated(records)) {
            return records;
        }
        ColumnarRecords.Builder out = ColumnarRecords.builder()
                .reserve(records.len(), records.keyBytes(), records.valueBytes());
        // Fits: the output is a subset of the input, whose columns were within the limits.
        records.consolidatedOrder((i, sum) -> out.push(records.key(i), records.value(i), records.time(i), sum));
        return out.build();
    }

    /** Strictly increasing (key, value, time) and no zero diff: nothing to sort or sum. */
    private static boolean isConsolidated(ColumnarRecords records) {
        for (int i = 0; i < records.len(); i++) {
            if (records.diff(i) == 0 || i > 0 && records.compareKeyValTime(i - 1, i) >= 0) {
                return false;
            }
        }
        return true;
    }
}
