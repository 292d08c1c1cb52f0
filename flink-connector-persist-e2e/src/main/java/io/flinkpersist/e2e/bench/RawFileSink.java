package io.flinkpersist.e2e.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The least any sink that keeps the records durably must do: each record's id and payload bytes appended to one file
 * per writer through a 1 MiB buffer, and the file synced to disk at every checkpoint (Flink flushes a sink writer
 * before each checkpoint barrier), as an exactly-once sink must before its checkpoint completes. No encoding, no
 * commit, no recovery: a floor for the benchmark, not a sink to use. Its records/s bound what any sink writing the
 * same bytes durably can reach on the machine.
 */
final class RawFileSink implements Sink<BenchRecord> {
    private static final long serialVersionUID = 1L;
    private static final int BUFFER_BYTES = 1 << 20;

    /** Where the files go; a string, as {@link Path} is not serializable. */
    private final String dir;

    RawFileSink(Path dir) {
        this.dir = dir.toString();
    }

    @Override
    public SinkWriter<BenchRecord> createWriter(WriterInitContext context) throws IOException {
        Path file = Path.of(dir).resolve("raw-" + context.getTaskInfo().getIndexOfThisSubtask() + "-"
                + context.getTaskInfo().getAttemptNumber());
        return new Writer(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    private static final class Writer implements SinkWriter<BenchRecord> {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);

        Writer(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(BenchRecord record, Context context) throws IOException {
            if (buffer.remaining() < Long.BYTES + record.payload.length) {
                drain();
            }
            buffer.putLong(record.id).put(record.payload);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            drain();
            channel.force(false);
        }

        private void drain() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        @Override
        public void close() throws IOException {
            try {
                flush(true);
            } finally {
                channel.close();
            }
        }
    }
}
