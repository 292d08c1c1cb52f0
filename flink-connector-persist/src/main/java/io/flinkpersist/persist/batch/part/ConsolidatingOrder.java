package io.flinkpersist.persist.batch.part;

import java.util.function.IntBinaryOperator;
import java.util.function.IntToLongFunction;

/**
 * Consolidation of records held in columns: visits them sorted by a comparator, with the diffs of equal
 * records summed (wrapping, like persist's i64 diffs) and zero sums skipped.
 */
public final class ConsolidatingOrder {
    // Below this many indices insertion sort beats further splitting.
    private static final int INSERTION_SORT_MAX = 16;

    private ConsolidatingOrder() {}

    /** Receives one consolidated record: the index of its first occurrence and its summed diff. */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, long diffSum);
    }

    /** Visits the consolidated records among indices {@code [0, len)}; returns how many were visited. */
    public static int visit(int len, IntBinaryOperator compare, IntToLongFunction diff, Sink sink) {
        int[] order = new int[len];
        for (int i = 0; i < len; i++) {
            order[i] = i;
        }
        mergeSort(compare, order, new int[len], 0, len);
        int visited = 0;
        int i = 0;
        while (i < len) {
            int first = order[i];
            long sum = diff.applyAsLong(first);
            int j = i + 1;
            while (j < len && compare.applyAsInt(first, order[j]) == 0) {
                sum += diff.applyAsLong(order[j]);
                j++;
            }
            if (sum != 0) {
                sink.accept(first, sum);
                visited++;
            }
            i = j;
        }
        return visited;
    }

    // A stable merge sort over primitive indices: a part may hold millions of records, too many to box.
    private static void mergeSort(IntBinaryOperator compare, int[] order, int[] scratch, int from, int to) {
        if (to - from <= INSERTION_SORT_MAX) {
            for (int i = from + 1; i < to; i++) {
                int moving = order[i];
                int j = i - 1;
                while (j >= from && compare.applyAsInt(order[j], moving) > 0) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = moving;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(compare, order, scratch, from, mid);
        mergeSort(compare, order, scratch, mid, to);
        if (compare.applyAsInt(order[mid - 1], order[mid]) <= 0) {
            return;
        }
        System.arraycopy(order, from, scratch, from, to - from);
        int left = from;
        int right = mid;
        for (int k = from; k < to; k++) {
            if (right >= to || left < mid && compare.applyAsInt(scratch[left], scratch[right]) <= 0) {
                order[k] = scratch[left++];
            } else {
                order[k] = scratch[right++];
            }
        }
    }
}
