package io.flinkpersist.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.state.CommitMarkerState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Existing jobs upgrade without loss or duplicates: savepoints and shards written by the sink as it was at commit
 * 5484c5d (committables and writer states of version 1, commit markers named by the job id and without a time) are
 * restored by this build and run to the end. See src/test/resources/upgrade/README.md for how they were made.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpgradeFromMainSavepointITCase {
    private static final int RECORDS = 10_000;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = PersistSinkJobsTestBase.miniCluster(METRICS);

    @TempDir
    Path dir;

    /**
     * {@code stopped}: a stop-with-savepoint whose committable that job committed; the restored job must recognise
     * it by the old marker. {@code intermediate}: an intermediate savepoint and a cancel, so the savepoint's
     * committable was never committed; the restored job must commit it once.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stopped", "intermediate"})
    void aSavepointOfTheEarlierBuildIsRestoredWithEveryRecordOnce(String fixtureName) throws Exception {
        Path fixture = copyFixture(fixtureName);
        Properties props = properties(fixture);
        PersistSink<String> sink = sink(fixture.resolve("shard"));
        assertThat(sink.config().sinkId()).isEqualTo(props.getProperty("sinkId"));
        String oldMarker = props.getProperty("sinkId") + "/" + props.getProperty("jobId");
        Map<String, CommitMarkerState> before = ShardParts.read(sink.config()).state().commitMarkers();
        // The markers of the earlier build are read, timed from the state they were last written in.
        assertThat(before).containsKey(oldMarker);
        assertThat(before.get(oldMarker).retentionMs()).isEqualTo(CommitMarkerState.DEFAULT_RETENTION.toMillis());
        assertThat(ShardContents.read(sink.config()).diffsByValue())
                .hasSize(Integer.parseInt(props.getProperty("committedAtSavepoint")));

        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, fixture.resolve("savepoint").toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(100);
        env.setParallelism(2);
        env.fromSequence(0, RECORDS - 1).uid("numbers")
                .map((MapFunction<Long, String>) n -> "r" + n).uid("slow-down")
                .sinkTo(sink).uid("persist-sink").name("Persist sink");
        JobID job = env.execute("restored from " + fixtureName).getJobID();

        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(LongStream.range(0, RECORDS)
                .mapToObj(n -> "r" + n).collect(Collectors.toMap(Function.identity(), v -> 1L)));
        ShardParts after = ShardParts.read(sink.config());
        // The parts of the savepoint's batch, unreferenced before, are now referenced; nothing is left over.
        assertThat(after.unreferenced()).isEmpty();
        long replays = counted(job, "alreadyCommitted");
        if (fixtureName.equals("stopped")) {
            assertThat(replays).isEqualTo(1);
        } else {
            assertThat(replays).isZero();
            assertThat(after.state().commitMarkers().get(oldMarker).checkpointId())
                    .isEqualTo(Long.parseLong(props.getProperty("savepointCheckpointId")));
        }
    }

    private static PersistSink<String> sink(Path shardDir) {
        return PersistSink.<String>builder()
                .embedded(shardDir)
                .shardName("upgrade")
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .partTargetSizeBytes(2048)
                .inlineThresholdBytes(0)
                .build();
    }

    private long counted(JobID job, String name) {
        return METRICS.getMetricsByGroup().entrySet().stream()
                .filter(e -> job.toString().equals(e.getKey().getAllVariables().get("<job_id>")))
                .map(e -> e.getValue().get(name))
                .filter(Objects::nonNull)
                .mapToLong(m -> ((Counter) m).getCount())
                .sum();
    }

    /** A writable copy: the restored job writes to the fixture's shard. */
    private Path copyFixture(String name) throws IOException, URISyntaxException {
        Path source = Paths.get(Objects.requireNonNull(getClass().getResource("/upgrade/5484c5d/" + name)).toURI());
        Path target = dir.resolve(name);
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(file -> {
                try {
                    Files.copy(file, target.resolve(source.relativize(file).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return target;
    }

    private static Properties properties(Path fixture) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(fixture.resolve("fixture.properties"))) {
            props.load(in);
        }
        return props;
    }
}
