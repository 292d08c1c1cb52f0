package io.flinkpersist.persist.batch.part;

import java.util.Arrays;
import java.util.function.IntBinaryOperator;
import java.util.function.IntToLongFunction;

/**
 * Consolidation of records held in columns: visits them sorted by a comparator, with the diffs of equal
 * records summed (wrapping, like persist's i64 diffs) and zero sums skipped.
 *
 * <p>Most of the sorting is done on primitives, as a radix sort from the most significant bytes: each record's index
 * is packed into a {@code long} behind four bytes of its key (those after the prefix all keys share), and the longs
 * are sorted by {@link Arrays#sort(long[])}; records tied on those bytes are sorted again by their next four bytes
 * (after what the tied ones share), and so on. Only small groups of ties, and records whose bytes are all used up,
 * are ordered by the comparator, so sorting compares few byte arrays even when keys share long prefixes. When every
 * key is the same (a collection kept in values, keys empty), the bytes are taken from the values instead.
 */
public final class ConsolidatingOrder {
    // Below this many ties insertion sort with the comparator beats another radix pass.
    private static final int INSERTION_SORT_MAX = 16;
    private static final long PREFIX_BITS = 0xFFFF_FFFF_0000_0000L;
    /** Radix passes one group may take before the comparator orders it: bounds the recursion on any data. */
    private static final int MAX_PASSES = 32;

    /** The column the radix passes read. */
    private final byte[] data;
    private final int[] offsets;
    private final IntBinaryOperator compare;
    /** Positions to records: the sorted order, once {@link #sort} is done. */
    private final int[] order;
    /** Per position, the four bytes its record was last sorted by (high half) and its index (low half). */
    private final long[] packed;
    private int[] scratch;

    /** Receives one consolidated record: the index of its first occurrence and its summed diff. */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, long diffSum);
    }

    private ConsolidatingOrder(int len, byte[] data, int[] offsets, IntBinaryOperator compare) {
        this.data = data;
        this.offsets = offsets;
        this.compare = compare;
        this.order = new int[len];
        this.packed = new long[len];
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
        ConsolidatingOrder sorter = allEqual(len, keyData, keyOffsets)
                ? new ConsolidatingOrder(len, valData, valOffsets, compare)
                : new ConsolidatingOrder(len, keyData, keyOffsets, compare);
        sorter.sort();
        return sorter.consolidate(diff, sink);
    }

    private void sort() {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        radix(0, order.length, 0, 1);
    }

    /**
     * Sorts positions {@code [from, to)}, whose records are equal in their first {@code consumed} bytes (read as
     * zero past a record's end, which keeps shorter ones first): by the next four bytes after those they all share,
     * then each group tied on them the same way. Packed longs of equal bytes keep the indices ascending, so with the
     * stable merge sort for what bytes cannot tell apart, the sort is stable as a whole.
     */
    private void radix(int from, int to, int consumed, int pass) {
        int next = consumed + sharedPrefix(from, to, consumed);
        if (pass > MAX_PASSES || endAllBy(from, to, next)) {
            mergeSort(from, to);
            return;
        }
        for (int k = from; k < to; k++) {
            int record = order[k];
            int at = offsets[record] + next;
            int end = offsets[record + 1];
            int prefix = 0;
            for (int b = 0; b < Integer.BYTES; b++) {
                prefix = (prefix << 8) | (at + b < end ? data[at + b] & 0xFF : 0);
            }
            // Flipped so that signed order is unsigned byte order.
            packed[k] = ((long) (prefix ^ Integer.MIN_VALUE) << 32) | record;
        }
        Arrays.sort(packed, from, to);
        for (int k = from; k < to; k++) {
            order[k] = (int) packed[k];
        }
        for (int tied = from; tied < to; ) {
            int end = endOfPrefix(tied, to);
            if (end - tied > INSERTION_SORT_MAX) {
                radix(tied, end, next + Integer.BYTES, pass + 1);
            } else if (end - tied > 1) {
                mergeSort(tied, end);
            }
            tied = end;
        }
    }

    /** How many bytes after the first {@code consumed} the records at {@code [from, to)} all have in common. */
    private int sharedPrefix(int from, int to, int consumed) {
        int first = order[from];
        int start = offsets[first] + consumed;
        int shared = Math.max(0, offsets[first + 1] - start);
        for (int k = from + 1; k < to && shared > 0; k++) {
            int at = offsets[order[k]] + consumed;
            int length = Math.max(0, Math.min(shared, offsets[order[k] + 1] - at));
            int mismatch = Arrays.mismatch(data, start, start + shared, data, at, at + length);
            if (mismatch >= 0) {
                shared = mismatch;
            }
        }
        return shared;
    }

    /** Whether no record at {@code [from, to)} has a byte at or after {@code consumed}: bytes cannot tell them apart. */
    private boolean endAllBy(int from, int to, int consumed) {
        for (int k = from; k < to; k++) {
            if (offsets[order[k] + 1] - offsets[order[k]] > consumed) {
                return false;
            }
        }
        return true;
    }

    private int endOfPrefix(int from, int to) {
        long prefix = packed[from] & PREFIX_BITS;
        int end = from + 1;
        while (end < to && (packed[end] & PREFIX_BITS) == prefix) {
            end++;
        }
        return end;
    }

    /**
     * Visits the sorted records, equal ones summed. Equal records were tied on every byte sorted by, so they end
     * with the same packed bytes: records whose packed bytes differ need no comparison.
     */
    private int consolidate(IntToLongFunction diff, Sink sink) {
        int len = order.length;
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

    /** Whether every key is the same bytes. */
    private static boolean allEqual(int len, byte[] data, int[] offsets) {
        int start = offsets[0];
        int length = offsets[1] - start;
        for (int i = 1; i < len; i++) {
            int at = offsets[i];
            if (offsets[i + 1] - at != length || Arrays.mismatch(data, start, start + length, data, at, at + length) >= 0) {
                return false;
            }
        }
        return true;
    }

    // A stable merge sort over primitive indices: a part may hold millions of records, too many to box.
    private void mergeSort(int from, int to) {
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
        if (scratch == null) {
            scratch = new int[order.length];
        }
        int mid = (from + to) >>> 1;
        mergeSort(from, mid);
        mergeSort(mid, to);
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
