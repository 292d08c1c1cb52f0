package io.flinkpersist.e2e.bench;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.source.PersistRecordDeserializer;
import io.flinkpersist.flink.source.PersistSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.formats.parquet.ParquetColumnarRowInputFormat;
import org.apache.flink.formats.parquet.row.ParquetRowDataBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.util.Collector;

/**
 * The source's read throughput in a real job, against a baseline run in the same process: the same records of about
 * 100 bytes (a unique key and a payload value, two strings) are written once into a persist shard by PersistSink on
 * the embedded defaults (a local directory and SQLite) and as Parquet by Flink's FileSink, and then read back by the
 * same bounded job (a local MiniCluster, BATCH mode, parallelism 2, into a discarding sink): from Flink's FileSource
 * with flink-parquet's vectorized RowData reader, from PersistSource reading the shard's snapshot into the same
 * RowData, and from a generator making the rows without reading anything (what the job costs by itself). The
 * readers take turns for several rounds; the median records per second of each and the ratio PersistSource /
 * FileSource are printed, with the bytes each dataset takes on disk. Every read is checked to have emitted each
 * record exactly once (count and sum of the keys), and the run fails otherwise.
 *
 * <p>{@code mvn -B -Psource-bench package [-Dsource.bench.args="<records> <rounds>"]} (default 2000000 records,
 * 3 rounds).
 */
public final class SourceThroughputJob {
    private static final int PARALLELISM = 2;
    private static final String SHARD_NAME = "bench";
    private static final RowType ROW_TYPE = RowType.of(
            new LogicalType[] {new VarCharType(VarCharType.MAX_LENGTH), new VarCharType(VarCharType.MAX_LENGTH)},
            new String[] {"key", "value"});
    private static final TypeInformation<RowData> ROW_TYPE_INFO = InternalTypeInfo.of(ROW_TYPE);
    /** Rows per batch of the vectorized Parquet reader: the size Flink's own Parquet table format uses. */
    private static final int PARQUET_BATCH_SIZE = 2048;
    private static final String RECORDS_READ = "records read";
    private static final String KEY_SUM = "sum of the keys read";

    private SourceThroughputJob() {}

    public static void main(String[] args) throws Exception {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Files.createTempDirectory("source-bench");
        Path shardDir = root.resolve("persist");
        Path parquetDir = root.resolve("parquet");
        write(records, shardDir, parquetDir);

        Map<String, Function<StreamExecutionEnvironment, DataStream<RowData>>> readers = new LinkedHashMap<>();
        readers.put("generated", env -> generate(env, records));
        readers.put("FileSource", env -> env.fromSource(FileSource.forBulkFileFormat(
                        new ParquetColumnarRowInputFormat<>(new org.apache.hadoop.conf.Configuration(), ROW_TYPE,
                                ROW_TYPE_INFO, PARQUET_BATCH_SIZE, false, true),
                        new org.apache.flink.core.fs.Path(parquetDir.toUri())).build(),
                WatermarkStrategy.noWatermarks(), "FileSource"));
        readers.put("PersistSource", env -> env.fromSource(PersistSource.<RowData>builder()
                        .embedded(shardDir)
                        .shardName(SHARD_NAME)
                        .keyCodec("utf8")
                        .valueCodec("utf8")
                        .deserializer(new RowDeserializer())
                        .snapshot()
                        .build(),
                WatermarkStrategy.noWatermarks(), "PersistSource"));

        Map<String, List<Double>> throughput = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, Function<StreamExecutionEnvironment, DataStream<RowData>>> reader
                    : readers.entrySet()) {
                double perSecond = read(reader.getKey(), reader.getValue(), records);
                throughput.computeIfAbsent(reader.getKey(), k -> new ArrayList<>()).add(perSecond);
                System.out.printf("round %d: %-13s %,12.0f records/s%n", round, reader.getKey(), perSecond);
            }
        }
        double fileSource = median(throughput.get("FileSource"));
        System.out.printf("%nmedian of %d rounds, %,d records, parallelism %d:%n", rounds, records, PARALLELISM);
        throughput.forEach((name, values) -> System.out.printf("  %-13s %,12.0f records/s  %.2f x FileSource%n",
                name, median(values), median(values) / fileSource));
        System.out.printf("PersistSource / FileSource: %.2f%n", median(throughput.get("PersistSource")) / fileSource);
        System.out.printf("on disk: persist blob %s, FileSink Parquet %s%n", describe(shardDir.resolve("blob")),
                describe(parquetDir));
        System.out.println("data under " + root);
    }

    /** One bounded job writes the same rows into the shard and as Parquet files. */
    private static void write(long records, Path shardDir, Path parquetDir) throws Exception {
        StreamExecutionEnvironment env = environment();
        DataStream<RowData> rows = generate(env, records);
        rows.sinkTo(PersistSink.<RowData>builder()
                .embedded(shardDir)
                .shardName(SHARD_NAME)
                .keyCodec("utf8")
                .valueCodec("utf8")
                .serializer(new RowSerializer())
                .build()).uid("persist-sink");
        rows.sinkTo(FileSink.forBulkFormat(new org.apache.flink.core.fs.Path(parquetDir.toUri()),
                        ParquetRowDataBuilder.createWriterFactory(ROW_TYPE, new org.apache.hadoop.conf.Configuration(),
                                true))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .build()).uid("parquet-sink");
        env.execute("source bench: write");
    }

    /** Runs the job reading from {@code source}, checks that it read every record once, returns records per second. */
    private static double read(String name, Function<StreamExecutionEnvironment, DataStream<RowData>> source,
            long records) throws Exception {
        StreamExecutionEnvironment env = environment();
        source.apply(env).filter(new CountKeys()).sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("source bench: " + name);
        long read = result.<Long>getAccumulatorResult(RECORDS_READ);
        long keySum = result.<Long>getAccumulatorResult(KEY_SUM);
        // Keys are 0 to records - 1: a lost or a doubled record changes the count or the sum.
        if (read != records || keySum != records * (records - 1) / 2) {
            throw new IllegalStateException(name + " read " + read + " records with key sum " + keySum
                    + ", expected " + records + " records with key sum " + records * (records - 1) / 2);
        }
        return records * 1000.0 / result.getNetRuntime();
    }

    private static StreamExecutionEnvironment environment() {
        Configuration config = new Configuration();
        config.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        // Bounded inputs: FileSink finishes its files at the end of input, PersistSink commits there.
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(PARALLELISM);
        return env;
    }

    private static DataStream<RowData> generate(StreamExecutionEnvironment env, long records) {
        return env.fromSequence(0, records - 1).map(new MakeRow()).returns(ROW_TYPE_INFO);
    }

    private static String describe(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> regular = files.filter(Files::isRegularFile).toList();
            long bytes = 0;
            for (Path file : regular) {
                bytes += Files.size(file);
            }
            return String.format("%,d bytes in %d files", bytes, regular.size());
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /**
     * About 100 bytes per record: a 12-digit key, unique per number, and 88 characters of payload drawn at random
     * (seeded by the number). Random so that neither format wins by compressing a filler: FileSink's Parquet writer
     * compresses with Snappy by default, persist's parts are not compressed. Made as bytes, without formatting, so
     * that the generated baseline costs little more than the job itself.
     */
    private static final class MakeRow implements MapFunction<Long, RowData> {
        private static final byte[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                .getBytes(StandardCharsets.US_ASCII);
        private static final int KEY_DIGITS = 12;
        private static final int PAYLOAD_LENGTH = 88;

        @Override
        public RowData map(Long n) {
            byte[] key = new byte[KEY_DIGITS];
            long rest = n;
            for (int i = KEY_DIGITS - 1; i >= 0; i--) {
                key[i] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
            SplittableRandom random = new SplittableRandom(n);
            byte[] payload = new byte[PAYLOAD_LENGTH];
            for (int i = 0; i < PAYLOAD_LENGTH; i++) {
                payload[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            return GenericRowData.of(StringData.fromBytes(key), StringData.fromBytes(payload));
        }
    }

    /** The row's key and value strings as the shard's key and value. */
    private static final class RowSerializer implements PersistRecordSerializer<RowData> {
        @Override
        public PersistRecord serialize(RowData row) {
            return new PersistRecord(row.getString(0).toBytes(), row.getString(1).toBytes(), 1);
        }
    }

    /** The shard's key and value as the row's strings, once per unit of diff, like the Parquet reader's rows. */
    private static final class RowDeserializer implements PersistRecordDeserializer<RowData> {
        @Override
        public void deserialize(byte[] key, byte[] value, long time, long diff, Collector<RowData> out) {
            if (diff < 0) {
                throw new IllegalStateException("the shard holds a retraction, it was written with inserts only");
            }
            RowData row = GenericRowData.of(StringData.fromBytes(key), StringData.fromBytes(value));
            for (long i = 0; i < diff; i++) {
                out.collect(row);
            }
        }

        @Override
        public TypeInformation<RowData> getProducedType() {
            return ROW_TYPE_INFO;
        }
    }

    /** Counts the rows that pass and sums their keys (read as the numbers they were made from). */
    private static final class CountKeys extends RichFilterFunction<RowData> {
        private final LongCounter read = new LongCounter();
        private final LongCounter keySum = new LongCounter();

        @Override
        public void open(OpenContext openContext) {
            getRuntimeContext().addAccumulator(RECORDS_READ, read);
            getRuntimeContext().addAccumulator(KEY_SUM, keySum);
        }

        @Override
        public boolean filter(RowData row) {
            long key = 0;
            for (byte digit : row.getString(0).toBytes()) {
                key = key * 10 + (digit - '0');
            }
            read.add(1);
            keySum.add(key);
            return true;
        }
    }
}
