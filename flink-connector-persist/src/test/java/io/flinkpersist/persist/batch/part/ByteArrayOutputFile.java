package io.flinkpersist.persist.batch.part;

import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/** A Parquet {@link OutputFile} that collects the file in memory, for parts written by parquet-java in tests. */
final class ByteArrayOutputFile implements OutputFile {
    private byte[] buffer;
    private int length;
    private boolean created;

    /** @param expectedLength a size hint; a good one saves growing (and copying) the buffer */
    ByteArrayOutputFile(long expectedLength) {
        buffer = new byte[(int) Math.max(0, Math.min(BinaryColumnBuilder.MAX_ARRAY_LENGTH, expectedLength))];
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
        if (created) {
            throw new IOException("in-memory Parquet file already created");
        }
        created = true;
        return new Stream();
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        created = true;
        length = 0;
        return new Stream();
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return "memory";
    }

    /** The file written so far; the buffer itself when it is exactly full, else a copy. */
    byte[] toByteArray() {
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    private final class Stream extends PositionOutputStream {
        @Override
        public long getPos() {
            return length;
        }

        @Override
        public void write(int b) throws IOException {
            ensureCapacity(length + 1L);
            buffer[length++] = (byte) b;
        }

        @Override
        public void write(byte[] src, int offset, int count) throws IOException {
            ensureCapacity(length + (long) count);
            System.arraycopy(src, offset, buffer, length, count);
            length += count;
        }

        private void ensureCapacity(long needed) throws IOException {
            if (needed <= buffer.length) {
                return;
            }
            if (needed > BinaryColumnBuilder.MAX_ARRAY_LENGTH) {
                throw new IOException("a Parquet part of " + needed + " bytes does not fit in a Java array");
            }
            long grown = Math.max(needed, buffer.length + (buffer.length >> 1) + 4096L);
            buffer = Arrays.copyOf(buffer, (int) Math.min(BinaryColumnBuilder.MAX_ARRAY_LENGTH, grown));
        }
    }
}
