package io.flinkpersist.persist.batch.part;

import java.util.Arrays;

/**
 * One growing binary column of {@link ColumnarRecords}: the values' bytes back to back, plus {@code count + 1}
 * offsets where value {@code i} is {@code data[offsets[i], offsets[i + 1])}.
 *
 * <p>The arrays are handed to the records as they are, spare capacity included, so building never copies the
 * data a second time; growth is by half, which bounds the waste when no size hint was given.
 */
final class BinaryColumnBuilder {
    /** The largest array the JVM reliably allocates. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private byte[] data;
    private int dataLength;
    private int[] offsets;
    private int count;

    BinaryColumnBuilder() {
        this(0, 0);
    }

    BinaryColumnBuilder(int expectedValues, long expectedBytes) {
        data = new byte[clampLength(expectedBytes)];
        offsets = new int[clampLength(expectedValues + 1L)];
    }

    /** Makes room for this many more values and bytes, as far as an array allows; a hint, never a failure. */
    void reserve(int moreValues, long moreBytes) {
        ensureOffsets(Math.min(MAX_ARRAY_LENGTH, count + 1L + moreValues));
        ensureData(Math.min(MAX_ARRAY_LENGTH, dataLength + moreBytes));
    }

    /**
     * Whether one more value of {@code length} bytes keeps this column within persist's limit: data plus 4 bytes
     * per offset must fit a signed 32-bit size, as Parquet pages and Arrow offsets require.
     */
    boolean fits(int length) {
        return ColumnarRecords.withinColumnLimit(dataLength + (long) length, count + 1);
    }

    /** Appends a whole value; the caller has checked {@link #fits}. */
    void append(byte[] src, int offset, int length) {
        appendBytes(src, offset, length);
        endValue();
    }

    /** Appends bytes to the value under construction, which {@link #endValue} completes. */
    void appendBytes(byte[] src, int offset, int length) {
        ensureData(dataLength + (long) length);
        System.arraycopy(src, offset, data, dataLength, length);
        dataLength += length;
    }

    void endValue() {
        ensureOffsets(count + 2L);
        count++;
        offsets[count] = dataLength;
    }

    int count() {
        return count;
    }

    /** The bytes of both arrays, spare capacity included. */
    long capacityBytes() {
        return data.length + (long) Integer.BYTES * offsets.length;
    }

    long dataLength() {
        return dataLength;
    }

    /** The data array, possibly longer than {@link #dataLength}; shared, not copied. */
    byte[] data() {
        return data;
    }

    /** The offsets array, possibly longer than {@code count + 1}; shared, not copied. */
    int[] offsets() {
        return offsets;
    }

    private void ensureData(long needed) {
        if (needed > data.length) {
            data = Arrays.copyOf(data, grownLength(data.length, needed, "binary column data"));
        }
    }

    private void ensureOffsets(long needed) {
        if (needed > offsets.length) {
            offsets = Arrays.copyOf(offsets, grownLength(offsets.length, needed, "binary column offsets"));
        }
    }

    private static int grownLength(int current, long needed, String what) {
        if (needed > MAX_ARRAY_LENGTH) {
            throw new IllegalStateException(what + " would need " + needed + " entries, more than a Java array holds");
        }
        return (int) Math.min(MAX_ARRAY_LENGTH, Math.max(needed, current + (current >> 1) + 16L));
    }

    private static int clampLength(long length) {
        return (int) Math.max(0, Math.min(MAX_ARRAY_LENGTH, length));
    }
}
