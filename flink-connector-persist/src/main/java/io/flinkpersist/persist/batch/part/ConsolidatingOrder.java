package io.flinkpersist.persist.batch.part;

import java.util.Arrays;
import java.util.function.IntBinaryOperator;
import java.util.function.IntToLongFunction;

/**
 * Consolidation of records held in columns: visits them sorted by a comparator, with the diffs of equal
 * records summed (wrapping, like persist's i64 diffs) and zero sums skipped.
 *
 * <p>Most of the sorting is done on primitives: each record's index is packed into a {@code long} behind four bytes
 * of its key (those after the prefix all keys share), and the longs are sorted by {@link Arrays#sort(long[])}. Only
 * records whose four bytes are equal are ordered by the comparator, so with keys that differ early a sort compares
 * no byte arrays at all, and one comparator call is needed per record only when keys repeat. When every key is the
 * same (a collection kept in values, keys empty), the four bytes are taken from the values instead.
 */
public final class ConsolidatingOrder {
    // Below this many indices insertion sort beats further splitting.
    private static final int INSERTION_SORT_MAX = 16;
    private static final long PREFIX_BITS = 0xFFFF_FFFF_0000_0000L;

    private ConsolidatingOrder() {}

    /** Receives one consolidated record: the index of its first occurrence and its summed diff. */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, long diffSum);
    }

    /**
     * Visits the consolidated records among indices {@code [0, len)}; returns how many were visited.
     *
     * @param keyData the keys back to back; record {@code i}'s key is {@code keyData[keyOffsets[i], keyOffsets[i + 1])}
     * @param valData the values, likewise
     * @param compare orders two records by key, then value (both unsigned bytes, a prefix first), then whatever else
     *     tells records apart; records it finds equal are consolidated
     */
    public static int visit(int len, byte[] keyData, int[] keyOffsets, byte[] valData, int[] valOffsets,
            IntBinaryOperator compare, IntToLongFunction diff, Sink sink) {
        if (len == 0) {
            return 0;
        }
        int sharedKey = sharedPrefix(len, keyData, keyOffsets);
        long[] packed = allEqual(len, keyOffsets, sharedKey)
                ? packedByPrefix(len, valData, valOffsets, sharedPrefix(len, valData, valOffsets))
                : packedByPrefix(len, keyData, keyOffsets, sharedKey);
        Arrays.sort(packed);
        int[] order = new int[len];
        for (int i = 0; i < len; i++) {
            order[i] = (int) packed[i];
        }
        int[] scratch = null;
        for (int from = 0; from < len; ) {
            int to = endOfPrefix(packed, from);
            if (to - from > 1) {
                if (scratch == null) {
                    scratch = new int[len];
                }
                // Equal prefixes keep the indices ascending, so this merge sort is stable as a whole.
                mergeSort(compare, order, scratch, from, to);
            }
            from = to;
        }
        int visited = 0;
        for (int from = 0; from < len; ) {
            int first = order[from];
            long sum = diff.applyAsLong(first);
            int next = from + 1;
            while (next < len && (packed[next] & PREFIX_BITS) == (packed[from] & PREFIX_BITS)
                    && compare.applyAsInt(first, order[next]) == 0) {
                sum += diff.applyAsLong(order[next]);
                next++;
            }
            if (sum != 0) {
                sink.accept(first, sum);
                visited++;
            }
            from = next;
        }
        return visited;
    }

    /**
     * Per record, the four bytes of the column after the prefix all its values share (zero past a value's end,
     * which keeps shorter ones first) as the high half, flipped so that signed order is unsigned byte order, and the
     * index as the low.
     */
    private static long[] packedByPrefix(int len, byte[] data, int[] offsets, int shared) {
        long[] packed = new long[len];
        for (int i = 0; i < len; i++) {
            int from = offsets[i] + shared;
            int end = offsets[i + 1];
            int prefix = 0;
            for (int b = 0; b < Integer.BYTES; b++) {
                prefix = (prefix << 8) | (from + b < end ? data[from + b] & 0xFF : 0);
            }
            packed[i] = ((long) (prefix ^ Integer.MIN_VALUE) << 32) | i;
        }
        return packed;
    }

    /** How many leading bytes all values of a column have in common (at most the shortest one's length). */
    private static int sharedPrefix(int len, byte[] data, int[] offsets) {
        int start = offsets[0];
        int shared = offsets[1] - start;
        for (int i = 1; i < len && shared > 0; i++) {
            int from = offsets[i];
            int length = Math.min(shared, offsets[i + 1] - from);
            int mismatch = Arrays.mismatch(data, start, start + shared, data, from, from + length);
            if (mismatch >= 0) {
                shared = mismatch;
            }
        }
        return shared;
    }

    /** Whether every value of a column is the same, given the prefix they share. */
    private static boolean allEqual(int len, int[] offsets, int shared) {
        for (int i = 0; i < len; i++) {
            if (offsets[i + 1] - offsets[i] != shared) {
                return false;
            }
        }
        return true;
    }

    private static int endOfPrefix(long[] packed, int from) {
        long prefix = packed[from] & PREFIX_BITS;
        int to = from + 1;
        while (to < packed.length && (packed[to] & PREFIX_BITS) == prefix) {
            to++;
        }
        return to;
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
