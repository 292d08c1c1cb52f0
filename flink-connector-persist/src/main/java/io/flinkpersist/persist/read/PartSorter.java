package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.ColumnarRecords;

/**
 * Turns a part that may be in any order (written with {@code consolidate = false}, or whose times were mapped by a
 * non-monotone function) into a sorted, consolidated one that can be merged as a run.
 */
public final class PartSorter {
    // Below this many indices insertion sort beats further splitting.
    private static final int INSERTION_SORT_MAX = 16;

    private PartSorter() {}

    /**
     * The updates sorted by (key, value, time), the diffs of equal ones summed (wrapping) and zero sums dropped.
     * Returns {@code records} itself when it already is so, which is the common case for consolidated batches.
     */
    public static ColumnarRecords sortAndConsolidate(ColumnarRecords records) {
        if (isConsolidated(records)) {
            return records;
        }
        int len = records.len();
        int[] order = new int[len];
        for (int i = 0; i < len; i++) {
            order[i] = i;
        }
        mergeSort(records, order, new int[len], 0, len);
        ColumnarRecords.Builder out = ColumnarRecords.builder()
                .reserve(len, records.keyBytes(), records.valueBytes());
        int i = 0;
        while (i < len) {
            int first = order[i];
            long sum = records.diff(first);
            int j = i + 1;
            while (j < len && records.compareKeyValTime(first, order[j]) == 0) {
                sum += records.diff(order[j]);
                j++;
            }
            if (sum != 0) {
                // Fits: the output is a subset of the input, whose columns were within the limits.
                out.push(records.key(first), records.value(first), records.time(first), sum);
            }
            i = j;
        }
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

    // A merge sort over primitive indices: a part may hold millions of updates, too many to box as Integers.
    private static void mergeSort(ColumnarRecords records, int[] order, int[] scratch, int from, int to) {
        if (to - from <= INSERTION_SORT_MAX) {
            for (int i = from + 1; i < to; i++) {
                int moving = order[i];
                int j = i - 1;
                while (j >= from && records.compareKeyValTime(order[j], moving) > 0) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = moving;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(records, order, scratch, from, mid);
        mergeSort(records, order, scratch, mid, to);
        if (records.compareKeyValTime(order[mid - 1], order[mid]) <= 0) {
            return;
        }
        System.arraycopy(order, from, scratch, from, to - from);
        int left = from;
        int right = mid;
        for (int k = from; k < to; k++) {
            if (right >= to || left < mid && records.compareKeyValTime(scratch[left], scratch[right]) <= 0) {
                order[k] = scratch[left++];
            } else {
                order[k] = scratch[right++];
            }
        }
    }
}
