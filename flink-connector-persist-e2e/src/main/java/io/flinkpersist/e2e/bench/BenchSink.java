package io.flinkpersist.e2e.bench;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * The sinks the benchmark compares, each writing {@link BenchRecord}s into its own directory and reading them
 * back for the {@link RecordCheck}. The two FileSinks roll a part file at every checkpoint (the only policy of
 * the bulk format, chosen for the row format too) into one directory, and commit exactly once.
 */
enum BenchSink {
    /** What the job costs without writing anything; nothing to read back. */
    DISCARDING("discarding") {
        @Override
        Sink<BenchRecord> create(Path dir) {
            return new DiscardingSink<>();
        }

        @Override
        void check(Path dir, RecordCheck check) {}
    },

    /**
     * Each record's id and payload bytes appended to a file, synced at every checkpoint ({@link RawFileSink}): the
     * floor of any sink that keeps the same bytes durably.
     */
    RAW_FILE("raw file, synced") {
        @Override
        Sink<BenchRecord> create(Path dir) throws IOException {
            Files.createDirectories(dir);
            return new RawFileSink(dir);
        }

        @Override
        void check(Path dir, RecordCheck check) throws IOException {
            readIdPayloadFiles(committedFiles(dir), check);
        }
    },

    /** Each record's id and payload bytes appended to a part file as they come: the least a row format does. */
    FILE_SINK_ROW("FileSink(row)") {
        @Override
        Sink<BenchRecord> create(Path dir) {
            return FileSink.forRowFormat(flinkPath(dir), new IdPayloadEncoder())
                    .withBucketAssigner(new BasePathBucketAssigner<>())
                    .withRollingPolicy(OnCheckpointRollingPolicy.build())
                    .build();
        }

        @Override
        void check(Path dir, RecordCheck check) throws IOException {
            readIdPayloadFiles(committedFiles(dir), check);
        }
    },

    /**
     * Parquet through flink-parquet's {@code AvroParquetWriters} for the record class (Avro reflection), on
     * parquet-avro's defaults: uncompressed, dictionary encoding on.
     */
    FILE_SINK_PARQUET("FileSink(Parquet)") {
        @Override
        Sink<BenchRecord> create(Path dir) {
            return FileSink.forBulkFormat(flinkPath(dir), AvroParquetWriters.forReflectRecord(BenchRecord.class))
                    .withBucketAssigner(new BasePathBucketAssigner<>())
                    .build();
        }

        @Override
        void check(Path dir, RecordCheck check) throws IOException {
            for (Path file : committedFiles(dir)) {
                try (ParquetReader<GenericRecord> reader = AvroParquetReader
                        .<GenericRecord>builder(new LocalInputFile(file))
                        .withDataModel(GenericData.get())
                        .build()) {
                    for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
                        ByteBuffer bytes = (ByteBuffer) record.get("payload");
                        byte[] payload = new byte[bytes.remaining()];
                        bytes.get(payload);
                        check.accept((Long) record.get("id"), payload);
                    }
                }
            }
            check.finish();
        }
    },

    /** PersistSink with its defaults on the embedded location (a local directory and SQLite). */
    PERSIST_SINK("PersistSink") {
        @Override
        Sink<BenchRecord> create(Path dir) {
            return persistSink(dir, true).build();
        }

        @Override
        void check(Path dir, RecordCheck check) {
            checkShard(label, persistSink(dir, true).build().config(), check);
        }
    },

    /** The same without page checksums: what they cost the sink, in the same round. */
    PERSIST_SINK_NO_PAGE_CHECKSUMS("PersistSink, no page checksums") {
        @Override
        Sink<BenchRecord> create(Path dir) {
            return persistSink(dir, false).build();
        }

        @Override
        void check(Path dir, RecordCheck check) {
            checkShard(label, persistSink(dir, false).build().config(), check);
        }
    },

    /**
     * The same without the committer's compaction: what keeping the shard small costs while it is written. Not in
     * the default run (a user keeps compaction on); name it in the benchmark's sinks argument.
     */
    PERSIST_SINK_NO_COMPACTION("PersistSink, no compaction", false) {
        @Override
        Sink<BenchRecord> create(Path dir) {
            return persistSink(dir, true).compaction(false).build();
        }

        @Override
        void check(Path dir, RecordCheck check) {
            checkShard(label, persistSink(dir, true).compaction(false).build().config(), check);
        }
    };

    /** How the sink is named in the benchmark's output. */
    final String label;
    /** Whether a run that names no sinks runs this one. */
    final boolean inDefaultRun;

    BenchSink(String label) {
        this(label, true);
    }

    BenchSink(String label, boolean inDefaultRun) {
        this.label = label;
        this.inDefaultRun = inDefaultRun;
    }

    /** A new sink writing into {@code dir}. */
    abstract Sink<BenchRecord> create(Path dir) throws Exception;

    /** Reads back every record the sink created for {@code dir} committed there, and checks them all. */
    abstract void check(Path dir, RecordCheck check) throws Exception;

    /** The shard's snapshot at its upper: each (id, payload) once, with diff 1. */
    private static void checkShard(String label, PersistSinkConfig config, RecordCheck check) {
        try (PersistClient client = config.openClient();
                ReadHandle reader = client.openReader(config.shardId(), config.codecs());
                Consolidator snapshot = reader.snapshot(reader.fetchRecentUpper().element().orElseThrow() - 1,
                        Duration.ofSeconds(60))) {
            while (snapshot.next()) {
                long id = ByteBuffer.wrap(snapshot.key()).getLong();
                if (snapshot.diff() != 1) {
                    throw new IllegalStateException(label + " holds id " + id + " with diff " + snapshot.diff());
                }
                check.accept(id, snapshot.value());
            }
        }
        check.finish();
    }

    private static PersistSinkBuilder<BenchRecord> persistSink(Path dir, boolean pageChecksums) {
        return PersistSink.<BenchRecord>builder()
                .embedded(dir)
                .shardName("bench")
                .serializer(new IdKeyPayloadValue())
                .pageChecksums(pageChecksums);
    }

    private static org.apache.flink.core.fs.Path flinkPath(Path dir) {
        return new org.apache.flink.core.fs.Path(dir.toUri());
    }

    /** Files of records each written as the 8-byte id, then the payload. */
    private static void readIdPayloadFiles(List<Path> files, RecordCheck check) throws IOException {
        for (Path file : files) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                while (true) {
                    long id;
                    try {
                        id = in.readLong();
                    } catch (EOFException end) {
                        break;
                    }
                    byte[] payload = new byte[check.payloadBytes()];
                    in.readFully(payload);
                    check.accept(id, payload);
                }
            }
        }
        check.finish();
    }

    /** FileSink's committed part files: in-progress and pending ones are hidden (their names start with a dot). */
    private static List<Path> committedFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .toList();
        }
    }

    /** The id as 8 big-endian bytes, then the payload: fixed-size records that read back without a delimiter. */
    private static final class IdPayloadEncoder implements Encoder<BenchRecord> {
        @Override
        public void encode(BenchRecord record, OutputStream stream) throws IOException {
            stream.write(idBytes(record.id));
            stream.write(record.payload);
        }
    }

    /** The id as the key (big-endian, so the shard's key order is the id order), the payload as the value. */
    private static final class IdKeyPayloadValue implements PersistRecordSerializer<BenchRecord> {
        @Override
        public PersistRecord serialize(BenchRecord record) {
            return new PersistRecord(idBytes(record.id), record.payload, 1);
        }
    }

    private static byte[] idBytes(long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }
}
