package io.flinkpersist.flink.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committer against a real embedded shard, without a Flink job. */
class PersistCommitterTest {
    @TempDir
    Path dir;

    private PersistSinkConfig config;

    @BeforeEach
    void setUp() {
        config = PersistSink.<String>builder()
                .embedded(dir)
                .shardName("committer-test")
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .build()
                .config();
    }

    @Test
    void aReplayedCommittableIsRecognisedAndItsDataIsInTheShardOnce() throws Exception {
        PersistCommittable committable = committable("job-a", 7, values("a", 100));
        RecordingCommitRequest first = new RecordingCommitRequest(committable);
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(first));
        }
        // As after a restart: a new committer (and persist writer) gets the committable back from a checkpoint.
        PersistCommittableSerializer serializer = new PersistCommittableSerializer();
        PersistCommittable restored = serializer.deserialize(serializer.getVersion(), serializer.serialize(committable));
        RecordingCommitRequest replay = new RecordingCommitRequest(restored);
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(replay));
        }

        assertThat(first.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        assertThat(replay.signal).isEqualTo(RecordingCommitRequest.Signal.ALREADY_COMMITTED);
        assertThat(shard()).isEqualTo(ones(values("a", 100)));
    }

    @Test
    void checkpointsOfOneCallCommitInCheckpointOrder() throws Exception {
        // Handed over out of order: committing 9 first would make 8 look already committed (and lose it).
        RecordingCommitRequest nine = new RecordingCommitRequest(committable("job-a", 9, values("nine", 10)));
        RecordingCommitRequest eight = new RecordingCommitRequest(committable("job-a", 8, values("eight", 10)));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(nine, eight));
        }

        assertThat(eight.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        assertThat(nine.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        Map<String, Long> expected = new TreeMap<>(ones(values("nine", 10)));
        expected.putAll(ones(values("eight", 10)));
        assertThat(shard()).isEqualTo(expected);
    }

    @Test
    void anotherJobsCheckpointIsNotMistakenForAReplay() throws Exception {
        RecordingCommitRequest oldJob = new RecordingCommitRequest(committable("job-a", 50, values("old", 10)));
        RecordingCommitRequest newJob = new RecordingCommitRequest(committable("job-b", 3, values("new", 10)));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(oldJob));
            committer.commit(List.of(newJob));
        }

        assertThat(newJob.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        Map<String, Long> expected = new TreeMap<>(ones(values("old", 10)));
        expected.putAll(ones(values("new", 10)));
        assertThat(shard()).isEqualTo(expected);
    }

    @Test
    void aCommitThatCannotLandFailsNamingShardAndUppers() throws Exception {
        PersistCommittable committable = committable("job-a", 1, values("late", 10));
        try (PersistClient client = config.openClient();
                WriteHandle closer = client.openWriter(config.shardId(), config.codecs())) {
            // Closing the shard (upper []) is a move of the upper no retry can get past.
            closer.compareAndAppend(List.of(), closer.fetchRecentUpper(), Frontier.EMPTY);
        }
        RecordingCommitRequest request = new RecordingCommitRequest(committable);
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(request));
        }

        // The job must fail (and replay the committable after a restart), not drop the committable.
        assertThat(request.signal).isEqualTo(RecordingCommitRequest.Signal.FAILED_UNKNOWN);
        assertThat(request.failure).hasMessageContaining(config.shardId().toString())
                .hasMessageContaining("expected upper []")
                .hasMessageContaining("actual upper []")
                .hasMessageContaining("the shard is closed");
    }

    @Test
    void theCommittableSerializerRoundTrips() throws Exception {
        PersistCommittable committable = new PersistCommittable("sink", "job", 42,
                List.of(new byte[] {1, 2, 3}, new byte[0]));
        PersistCommittableSerializer serializer = new PersistCommittableSerializer();

        PersistCommittable back = serializer.deserialize(1, serializer.serialize(committable));

        assertThat(back.sinkId()).isEqualTo("sink");
        assertThat(back.jobId()).isEqualTo("job");
        assertThat(back.checkpointId()).isEqualTo(42);
        assertThat(back.batches()).containsExactly(new byte[] {1, 2, 3}, new byte[0]);
    }

    private PersistCommitter committer() {
        return new PersistCommitter(config,
                InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricsGroup.createOperatorMetricGroup()));
    }

    /** One writer's batch built as the sink's writers build it: at time 0 with upper [1]. */
    private PersistCommittable committable(String jobId, long checkpointId, List<String> values) {
        try (PersistClient client = config.openClient();
                WriteHandle writer = client.openWriter(config.shardId(), config.codecs())) {
            BatchBuilder builder = writer.builder(Frontier.MINIMUM);
            values.forEach(v -> builder.add(new byte[0], v.getBytes(StandardCharsets.UTF_8), 0, 1));
            byte[] batch = builder.finish(Frontier.of(1)).toTransmittable();
            return new PersistCommittable(config.sinkId(), jobId, checkpointId, List.of(batch));
        }
    }

    private Map<String, Long> shard() {
        try (PersistClient client = config.openClient();
                ReadHandle reader = client.openReader(config.shardId(), config.codecs())) {
            long asOf = reader.fetchRecentUpper().element().orElseThrow() - 1;
            Consolidator snapshot = reader.snapshot(asOf, Duration.ofSeconds(10));
            Map<String, Long> diffs = new TreeMap<>();
            while (snapshot.next()) {
                diffs.merge(new String(snapshot.value(), StandardCharsets.UTF_8), snapshot.diff(), Long::sum);
            }
            return diffs;
        }
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private static Map<String, Long> ones(List<String> values) {
        return values.stream().collect(Collectors.toMap(v -> v, v -> 1L, (a, b) -> a, TreeMap::new));
    }
}
