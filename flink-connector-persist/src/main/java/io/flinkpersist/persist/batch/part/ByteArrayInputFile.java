package io.flinkpersist.persist.batch.part;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet {@link InputFile} over a part already fetched from blob, read in place. */
final class ByteArrayInputFile implements InputFile {
    private final byte[] bytes;

    ByteArrayInputFile(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long getLength() {
        return bytes.length;
    }

    @Override
    public SeekableInputStream newStream() {
        return new Stream();
    }

    private final class Stream extends SeekableInputStream {
        private int position;

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void seek(long newPosition) throws IOException {
            if (newPosition < 0 || newPosition > bytes.length) {
                throw new EOFException("seek to " + newPosition + " outside a file of " + bytes.length + " bytes");
            }
            position = (int) newPosition;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] dst, int offset, int count) {
            if (count == 0) {
                return 0;
            }
            int n = Math.min(count, bytes.length - position);
            if (n <= 0) {
                return -1;
            }
            System.arraycopy(bytes, position, dst, offset, n);
            position += n;
            return n;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!dst.hasRemaining()) {
                return 0;
            }
            int n = Math.min(dst.remaining(), bytes.length - position);
            if (n <= 0) {
                return -1;
            }
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public void readFully(byte[] dst) throws IOException {
            readFully(dst, 0, dst.length);
        }

        @Override
        public void readFully(byte[] dst, int offset, int count) throws IOException {
            requireAvailable(count);
            System.arraycopy(bytes, position, dst, offset, count);
            position += count;
        }

        @Override
        public void readFully(ByteBuffer dst) throws IOException {
            int count = dst.remaining();
            requireAvailable(count);
            dst.put(bytes, position, count);
            position += count;
        }

        @Override
        public long skip(long count) {
            long n = Math.max(0, Math.min(count, bytes.length - position));
            position += (int) n;
            return n;
        }

        @Override
        public int available() {
            return bytes.length - position;
        }

        private void requireAvailable(int count) throws EOFException {
            if (count > bytes.length - position) {
                throw new EOFException("read of " + count + " bytes at " + position + " runs past the end of a file of "
                        + bytes.length + " bytes");
            }
        }
    }
}
