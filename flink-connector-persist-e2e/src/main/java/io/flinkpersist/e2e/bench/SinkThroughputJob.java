package io.flinkpersist.e2e.bench;

import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The sink's throughput in a real job, against baselines run in the same process: the same job (a local
 * MiniCluster, parallelism 2, a checkpoint every second, records of about 100 bytes) into Flink's FileSink (row
 * format, exactly once, a local directory), into PersistSink on the embedded defaults (a local directory and
 * SQLite), and into a discarding sink (what the job costs without writing anything). The sinks take turns for
 * several rounds; the median records per second of each and the ratios to FileSink are printed. PersistSink's
 * shard is read back after each round to check that every record landed once.
 *
 * <p>{@code mvn -B -Psink-bench package [-Dsink.bench.args="<records> <rounds>"]} (default 2000000 records, 3 rounds).
 */
public final class SinkThroughputJob {
    private static final int PARALLELISM = 2;

    private SinkThroughputJob() {}

    public static void main(String[] args) throws Exception {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Files.createTempDirectory("sink-bench");
        Map<String, Function<Path, Sink<String>>> sinks = new LinkedHashMap<>();
        sinks.put("discarding", dir -> new DiscardingSink<>());
        sinks.put("FileSink", dir -> FileSink.forRowFormat(new org.apache.flink.core.fs.Path(dir.toUri()),
                new SimpleStringEncoder<String>()).withRollingPolicy(OnCheckpointRollingPolicy.build()).build());
        sinks.put("PersistSink", dir -> PersistSink.<String>builder()
                .embedded(dir)
                .shardName("bench")
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .build());

        Map<String, List<Double>> throughput = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, Function<Path, Sink<String>>> entry : sinks.entrySet()) {
                Path dir = root.resolve(entry.getKey() + "-" + round);
                Sink<String> sink = entry.getValue().apply(dir);
                double perSecond = run(sink, records);
                throughput.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(perSecond);
                System.out.printf("round %d: %-11s %,12.0f records/s%n", round, entry.getKey(), perSecond);
                if (sink instanceof PersistSink<String> persist) {
                    checkEveryRecordLandedOnce(persist.config(), records);
                }
            }
        }
        double fileSink = median(throughput.get("FileSink"));
        System.out.printf("%nmedian of %d rounds, %,d records, parallelism %d:%n", rounds, records, PARALLELISM);
        throughput.forEach((name, values) -> System.out.printf("  %-11s %,12.0f records/s  %.2f x FileSink%n",
                name, median(values), median(values) / fileSink));
        System.out.println("data under " + root);
    }

    /** Runs the job into {@code sink} and returns records per second of its net runtime. */
    private static double run(Sink<String> sink, long records) throws Exception {
        Configuration config = new Configuration();
        config.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(1_000);
        env.fromSequence(0, records - 1).map(new Payload()).sinkTo(sink).uid("bench-sink");
        long millis = env.execute("sink bench").getNetRuntime();
        return records * 1000.0 / millis;
    }

    private static void checkEveryRecordLandedOnce(PersistSinkConfig config, long records) {
        try (PersistClient client = config.openClient();
                ReadHandle reader = client.openReader(config.shardId(), config.codecs())) {
            Consolidator snapshot = reader.snapshot(reader.fetchRecentUpper().element().orElseThrow() - 1,
                    Duration.ofSeconds(60));
            long landed = 0;
            long distinct = 0;
            while (snapshot.next()) {
                if (snapshot.diff() != 1) {
                    throw new IllegalStateException("a record landed " + snapshot.diff() + " times");
                }
                landed += snapshot.diff();
                distinct++;
            }
            if (landed != records || distinct != records) {
                throw new IllegalStateException("expected " + records + " records, the shard holds " + landed);
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** About 100 bytes per record, unique per number, cheap to make. */
    private static final class Payload implements MapFunction<Long, String> {
        private static final String FILLER = "x".repeat(80);

        @Override
        public String map(Long n) {
            return "record-" + n + "-" + FILLER;
        }
    }
}
