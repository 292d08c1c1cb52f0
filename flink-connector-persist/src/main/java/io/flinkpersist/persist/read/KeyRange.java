package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The keys from {@code lower} (inclusive) up to {@code upper} (exclusive, or every key from {@code lower} on when
 * null), ordered as a shard orders them: as unsigned bytes, a prefix first. Several readers read a shard in parallel
 * by key range, each consolidating its keys' updates by itself.
 */
public record KeyRange(byte[] lower, byte[] upper) {
    /** Every key. */
    public static final KeyRange ALL = new KeyRange(new byte[0], null);

    public KeyRange {
        if (lower == null) {
            throw new IllegalArgumentException("a key range needs a lower bound (the empty key for the first key)");
        }
        if (upper != null && Arrays.compareUnsigned(lower, upper) >= 0) {
            throw new IllegalArgumentException("the key range [" + hex(lower) + ", " + hex(upper) + ") is empty");
        }
        lower = lower.clone();
        upper = upper == null ? null : upper.clone();
    }

    @Override
    public byte[] lower() {
        return lower.clone();
    }

    /** The exclusive upper bound, or null if the range runs to the last key. */
    @Override
    public byte[] upper() {
        return upper == null ? null : upper.clone();
    }

    public boolean contains(byte[] key) {
        return Arrays.compareUnsigned(key, lower) >= 0 && (upper == null || Arrays.compareUnsigned(key, upper) < 0);
    }

    public boolean isAll() {
        return lower.length == 0 && upper == null;
    }

    /**
     * Whether {@code part} may hold a key of this range, judged from its key lower bound and, in a sorted run, the
     * next part's: the keys of a part of a sorted run are at most the smallest key of the next part. A key lower may
     * be truncated to a prefix of the smallest key, so a next part's lower below this range's lower proves nothing
     * when it is a prefix of it.
     */
    boolean mayHoldKeys(BatchPart part, BatchPart nextInRun) {
        if (part.isInline()) {
            return true;
        }
        if (upper != null && Arrays.compareUnsigned(part.keyLower(), upper) >= 0) {
            return false;
        }
        if (nextInRun == null || nextInRun.isInline() || lower.length == 0) {
            return true;
        }
        byte[] next = nextInRun.keyLower();
        return Arrays.compareUnsigned(next, lower) >= 0 || isPrefix(next, lower);
    }

    /** The updates of {@code records} whose key is in this range, order kept; {@code records} itself if all are. */
    public ColumnarRecords restrict(ColumnarRecords records) {
        if (isAll()) {
            return records;
        }
        int in = 0;
        for (int i = 0; i < records.len(); i++) {
            if (contains(records.key(i))) {
                in++;
            }
        }
        if (in == records.len()) {
            return records;
        }
        ColumnarRecords.Builder out = ColumnarRecords.builder().reserve(in, records.keyBytes(), records.valueBytes());
        for (int i = 0; i < records.len(); i++) {
            byte[] key = records.key(i);
            if (contains(key)) {
                // Fits: a subset of a part whose columns were within the limits.
                out.push(key, records.value(i), records.time(i), records.diff(i));
            }
        }
        return out.build();
    }

    private static boolean isPrefix(byte[] prefix, byte[] of) {
        return prefix.length <= of.length && Arrays.equals(prefix, 0, prefix.length, of, 0, prefix.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange other && Arrays.equals(lower, other.lower) && Arrays.equals(upper, other.upper);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lower) + Arrays.hashCode(upper);
    }

    @Override
    public String toString() {
        return "[" + hex(lower) + ", " + (upper == null ? "end" : hex(upper)) + ")";
    }

    private static String hex(byte[] bytes) {
        return bytes.length == 0 ? "start" : HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32))
                + (bytes.length > 32 ? "…" : "");
    }
}
