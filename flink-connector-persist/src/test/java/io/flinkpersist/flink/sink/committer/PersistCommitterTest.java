package io.flinkpersist.flink.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.flink.sink.testutils.GatedLocalFileSystem;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateVersions;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committer against a real embedded shard, without a Flink job. */
class PersistCommitterTest {
    @TempDir
    Path dir;

    private PersistSinkConfig config;

    @BeforeEach
    void setUp() {
        config = config(builder -> builder);
    }

    private PersistSinkConfig config(UnaryOperator<PersistSinkBuilder<String>> options) {
        return options.apply(PersistSink.<String>builder()
                .embedded(dir)
                .shardName("committer-test")
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema())))
                .build()
                .config();
    }

    @Test
    void aReplayedCommittableIsRecognisedAndItsDataIsInTheShardOnce() throws Exception {
        PersistCommittable committable = committable("run-a", 7, values("a", 100));
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
        RecordingCommitRequest nine = new RecordingCommitRequest(committable("run-a", 9, values("nine", 10)));
        RecordingCommitRequest eight = new RecordingCommitRequest(committable("run-a", 8, values("eight", 10)));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(nine, eight));
        }

        assertThat(eight.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        assertThat(nine.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        Map<String, Long> expected = new TreeMap<>(ones(values("nine", 10)));
        expected.putAll(ones(values("eight", 10)));
        assertThat(shard()).isEqualTo(expected);
    }

    /** A new run (a new job, or a restore) reuses checkpoint ids: its committables are still new data. */
    @Test
    void anotherRunsCheckpointIsNotMistakenForAReplay() throws Exception {
        RecordingCommitRequest oldRun = new RecordingCommitRequest(committable("run-a", 50, values("old", 10)));
        RecordingCommitRequest newRun = new RecordingCommitRequest(committable("run-b", 3, values("new", 10)));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(oldRun));
            committer.commit(List.of(newRun));
        }

        assertThat(newRun.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        Map<String, Long> expected = new TreeMap<>(ones(values("old", 10)));
        expected.putAll(ones(values("new", 10)));
        assertThat(shard()).isEqualTo(expected);
    }

    /** A checkpoint in which nothing was written commits nothing and touches no store. */
    @Test
    void anEmptyCommittableFinishesWithoutAnAppend() throws Exception {
        RecordingCommitRequest empty = new RecordingCommitRequest(new PersistCommittable(
                SinkMarkers.commits(config.sinkId(), "run-a"), 4, System.currentTimeMillis(), List.of(), false));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(empty));
        }

        assertThat(empty.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        // The shard was never even opened.
        assertThat(dir.resolve("consensus.db")).doesNotExist();
    }

    /**
     * The rule of elapsedSecondsSinceLastSuccessfulCommit: it counts from the last committable the committer
     * finished, and an idle checkpoint's empty committable counts, so an idle job does not look stuck.
     */
    @Test
    void elapsedSecondsSinceLastSuccessfulCommitRestartsWithAnIdleCheckpoint() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        try (PersistCommitter committer = new PersistCommitter(config, InternalSinkCommitterMetricGroup.wrap(metrics))) {
            Gauge<?> elapsed = (Gauge<?>) metrics.get("elapsedSecondsSinceLastSuccessfulCommit");
            // Nothing finished since the committer started, a little over a second ago.
            Thread.sleep(1_100);
            assertThat((Long) elapsed.getValue()).isGreaterThanOrEqualTo(1);

            committer.commit(List.of(new RecordingCommitRequest(new PersistCommittable(
                    SinkMarkers.commits(config.sinkId(), "run-a"), 1, System.currentTimeMillis(), List.of(), false))));

            assertThat((Long) elapsed.getValue()).isZero();
        }
    }

    /**
     * A committable older than the marker retention whose run the shard no longer knows may have been committed
     * before its marker expired: the job fails saying so, instead of writing the data a second time.
     */
    @Test
    void aCommittableOlderThanTheMarkerRetentionWithoutAMarkerFailsTheJob() throws Exception {
        config = shortRetentionConfig();
        long threeDaysAgo = System.currentTimeMillis() - Duration.ofDays(3).toMillis();
        PersistCommittable old = withPreparedAt(committable("run-old", 5, values("old", 10)), threeDaysAgo);
        RecordingCommitRequest request = new RecordingCommitRequest(old);
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(request));
        }

        assertThat(request.signal).isEqualTo(RecordingCommitRequest.Signal.FAILED_UNKNOWN);
        assertThat(request.failure).hasMessageContaining("checkpoint 5 of committer '" + old.committer() + "'")
                .hasMessageContaining("marker retention PT24H");
        assertThat(shard()).isEmpty();
    }

    /** Old data is refused only where it cannot be told apart: with its run's marker there, a replay is skipped. */
    @Test
    void aCommittableOlderThanTheMarkerRetentionWithItsMarkerIsAReplay() throws Exception {
        config = shortRetentionConfig();
        PersistCommittable committed = committable("run-a", 5, values("a", 10));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(new RecordingCommitRequest(committed)));
        }
        long threeDaysAgo = System.currentTimeMillis() - Duration.ofDays(3).toMillis();
        RecordingCommitRequest replay = new RecordingCommitRequest(withPreparedAt(committed, threeDaysAgo));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(replay));
        }

        assertThat(replay.signal).isEqualTo(RecordingCommitRequest.Signal.ALREADY_COMMITTED);
        assertThat(shard()).isEqualTo(ones(values("a", 10)));
    }

    /**
     * One damaged batch among the checkpoint's: the job fails naming the checkpoint, the shard and the part, and
     * nothing of the checkpoint is appended (not even its good batch); the next checkpoint commits as usual.
     */
    @Test
    void aCommittableWithAnInvalidBatchFailsTheJobAndAppendsNothing() throws Exception {
        PersistCommittable good = committable("run-a", 7, values("good", 10));
        ProtoBatch.Builder bad = ProtoBatch.parseFrom(committable("run-a", 7, values("bad", 10)).batches().get(0))
                .toBuilder().clearBatchCrc32C();
        bad.getBatchBuilder().addParts(ProtoHollowBatchPart.newBuilder().setKey("../escape\n"));
        PersistCommittable damaged = new PersistCommittable(good.committer(), 7, good.preparedAtMs(),
                List.of(good.batches().get(0), bad.build().toByteArray()), false);
        RecordingCommitRequest request = new RecordingCommitRequest(damaged);
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(request));
        }

        assertThat(request.signal).isEqualTo(RecordingCommitRequest.Signal.FAILED_UNKNOWN);
        assertThat(request.failure).isInstanceOf(InvalidCommittableException.class)
                .hasMessageContaining("checkpoint 7 of committer " + good.committer())
                .hasMessageContaining("to shard " + config.shardId())
                .hasMessageContaining("malformed part key at part 1 \"../escape\\u000a\"")
                .hasCauseInstanceOf(InvalidUsageException.InvalidTransmittableBatch.class);
        assertThat(((InvalidCommittableException) request.failure).checkpointId()).isEqualTo(7);
        assertThat(shard()).isEmpty();
        try (PersistClient client = config.openClient();
                WriteHandle writer = client.openWriter(config.shardId(), config.codecs())) {
            assertThat(writer.fetchRecentUpper()).isEqualTo(Frontier.MINIMUM);
        }

        RecordingCommitRequest next = new RecordingCommitRequest(committable("run-a", 8, values("next", 10)));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(next));
        }
        assertThat(next.signal).isEqualTo(RecordingCommitRequest.Signal.NONE);
        assertThat(shard()).isEqualTo(ones(values("next", 10)));
    }

    /**
     * A replay of a committed checkpoint whose parts are gone since (compaction merged them and collection deleted
     * them) is recognised as committed, not refused as a batch with missing parts.
     */
    @Test
    void aReplayWhosePartsWereCollectedIsAlreadyCommitted() throws Exception {
        PersistCommittable committable = committable("run-a", 4, values("collected", 400));
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(new RecordingCommitRequest(committable)));
        }
        for (ProtoHollowBatchPart part : ProtoBatch.parseFrom(committable.batches().get(0)).getBatch().getPartsList()) {
            if (part.hasKey()) {
                Files.delete(dir.resolve("blob").resolve(config.shardId().toString()).resolve(part.getKey()));
            }
        }
        RecordingCommitRequest replay = new RecordingCommitRequest(committable);
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(replay));
        }

        assertThat(replay.signal).isEqualTo(RecordingCommitRequest.Signal.ALREADY_COMMITTED);
    }

    /** The same batch twice in one checkpoint would count its updates twice: refused when appended, naming both. */
    @Test
    void aCommittableWithTheSameBatchTwiceFailsTheJobAndAppendsNothing() throws Exception {
        PersistCommittable once = committable("run-a", 3, values("twice", 400));
        PersistCommittable twice = new PersistCommittable(once.committer(), 3, once.preparedAtMs(),
                List.of(once.batches().get(0), once.batches().get(0)), false);
        RecordingCommitRequest request = new RecordingCommitRequest(twice);
        try (PersistCommitter committer = committer()) {
            committer.commit(List.of(request));
        }

        assertThat(request.signal).isEqualTo(RecordingCommitRequest.Signal.FAILED_UNKNOWN);
        assertThat(request.failure).isInstanceOf(InvalidCommittableException.class)
                .hasMessageContaining("checkpoint 3 of committer " + once.committer())
                .hasMessageContaining("appears more than once in one append to shard " + config.shardId())
                .hasCauseInstanceOf(InvalidUsageException.DuplicatePart.class);
        assertThat(shard()).isEmpty();
    }

    @Test
    void aCommitThatCannotLandFailsNamingShardAndUppers() throws Exception {
        PersistCommittable committable = committable("run-a", 1, values("late", 10));
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
                .hasMessageContaining("its upper is []")
                .hasMessageContaining("the shard is closed");
    }

    @ParameterizedTest(name = "end of input {0}")
    @ValueSource(booleans = {false, true})
    void theCommittableSerializerRoundTrips(boolean endOfInput) throws Exception {
        PersistCommittable committable = new PersistCommittable("sink/run", 42, 1_700_000_000_000L,
                List.of(new byte[] {1, 2, 3}, new byte[0]), endOfInput);
        PersistCommittableSerializer serializer = new PersistCommittableSerializer();

        PersistCommittable back = serializer.deserialize(serializer.getVersion(), serializer.serialize(committable));

        assertThat(back.committer()).isEqualTo("sink/run");
        assertThat(back.checkpointId()).isEqualTo(42);
        assertThat(back.preparedAtMs()).isEqualTo(1_700_000_000_000L);
        assertThat(back.batches()).containsExactly(new byte[] {1, 2, 3}, new byte[0]);
        assertThat(back.endOfInput()).isEqualTo(endOfInput);
    }

    /** Version 2, as main wrote it into checkpoints up to 6a7e29e (fixture written by that build's serializer). */
    @Test
    void theCommittableSerializerReadsVersion2AsNotAtTheEndOfInput() throws Exception {
        byte[] written = Files.readAllBytes(Path.of(
                getClass().getResource("/upgrade/6a7e29e-committable/committable-v2.bin").toURI()));

        PersistCommittable back = new PersistCommittableSerializer().deserialize(2, written);

        assertThat(back.committer()).isEqualTo("persist-sink:s1/1b4e28ba-2fa1-11d2-883f-0016d3cca427");
        assertThat(back.checkpointId()).isEqualTo(42);
        assertThat(back.preparedAtMs()).isEqualTo(1_700_000_000_000L);
        assertThat(back.batches()).containsExactly(new byte[] {1, 2, 3}, new byte[0]);
        assertThat(back.endOfInput()).isFalse();
    }

    @Test
    void theCommittableSerializerRefusesFlagsItDoesNotKnow() throws Exception {
        PersistCommittableSerializer serializer = new PersistCommittableSerializer();
        byte[] bytes = serializer.serialize(new PersistCommittable("sink/run", 1, 0, List.of(), true));
        bytes[bytes.length - 1] = 3;

        assertThatThrownBy(() -> serializer.deserialize(serializer.getVersion(), bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("flags 0x3");
        assertThatThrownBy(() -> serializer.deserialize(4, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 4");
    }

    /**
     * The sink's last committable (every writer at the end of its input) starts no merge, so a bounded job's end does
     * not wait for one; any other commit does, also one after it (a job restored from a savepoint taken at the end
     * of its input replays that committable, then commits its own). Deterministic: the shard needs merges first.
     */
    @ParameterizedTest(name = "end of input {0}")
    @ValueSource(booleans = {false, true})
    void theLastCommittableStartsNoMergeAndEveryRecordIsInTheShardOnce(boolean endOfInput) throws Exception {
        PersistSinkConfig compacting = config;
        config = config(builder -> builder.compaction(false));
        Map<String, Long> expected = new TreeMap<>();
        try (PersistCommitter committer = committer()) {
            for (int c = 1; c <= 12; c++) {
                expected.putAll(commitValues(committer, c, false));
            }
        }
        int batchesBefore = batchCount();
        config = compacting;
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        try (PersistCommitter committer = new PersistCommitter(config,
                InternalSinkCommitterMetricGroup.wrap(metrics))) {
            expected.putAll(commitValues(committer, 13, endOfInput));
            Gauge<?> requested = (Gauge<?>) metrics.get("compactionsRequested");
            Gauge<?> applied = (Gauge<?>) metrics.get("compactionsApplied");
            if (endOfInput) {
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(requested.getValue()).as("merges requested").isEqualTo(0L));
                assertThat(batchCount()).isEqualTo(batchesBefore + 1);
                expected.putAll(commitValues(committer, 14, false));
            }
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat((Long) applied.getValue()).as("merges applied").isPositive());
        }

        assertThat(batchCount()).isEqualTo(1);
        assertThat(shard()).isEqualTo(expected);
    }

    /**
     * While the committer's maintenance merges older batches (held here at its first part upload), the commits
     * meanwhile start a second run that merges the batches newer than that merge's inputs; when the held merge
     * finishes it applies too, neither discards the other's work, and every record is in the shard once.
     */
    @Test
    void theNewestBatchesAreMergedWhileAMergeOfOlderOnesIsInProgress() throws Exception {
        UnaryOperator<PersistSinkBuilder<String>> gated = builder -> builder.inlineThresholdBytes(0)
                .hadoopOptions(Map.of("fs.file.impl", GatedLocalFileSystem.class.getName()));
        config = config(builder -> gated.apply(builder).compaction(false));
        Map<String, Long> expected = new TreeMap<>();
        try (PersistCommitter committer = committer()) {
            for (int c = 1; c <= 8; c++) {
                expected.putAll(commitValues(committer, c, false));
            }
        }
        config = config(builder -> gated.apply(builder).compactionConcurrency(2));
        PersistCommittable ninth = committable("run-a", 9, values("c9-", 10));
        GatedLocalFileSystem.Gate gate = GatedLocalFileSystem.armNextPartUpload(config.shardId().toString());
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        try (PersistCommitter committer = new PersistCommitter(config,
                InternalSinkCommitterMetricGroup.wrap(metrics))) {
            Gauge<?> applied = (Gauge<?>) metrics.get("compactionsApplied");
            Gauge<?> newestApplied = (Gauge<?>) metrics.get("newestBatchCompactionsApplied");
            committer.commit(List.of(new RecordingCommitRequest(ninth)));
            expected.putAll(ones(values("c9-", 10)));
            gate.awaitHolding();

            // As many batches as a merge waits for.
            for (int c = 10; c < 10 + CompactionSettings.DEFAULT_MIN_INPUTS; c++) {
                expected.putAll(commitValues(committer, c, false));
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat((Long) newestApplied.getValue())
                    .as("merges of the newest batches applied").isPositive());
            assertThat(gate.isHolding()).as("the merge of the older batches is still in progress").isTrue();
            assertThat((Long) applied.getValue()).isEqualTo((Long) newestApplied.getValue());

            gate.open();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat((Long) applied.getValue())
                    .as("merges applied").isGreaterThan((Long) newestApplied.getValue()));
            assertThat(metrics.get("compactionsDiscarded")).extracting(g -> ((Gauge<?>) g).getValue()).isEqualTo(0L);
            assertThat(metrics.get("compactionFailures")).extracting(g -> ((Gauge<?>) g).getValue()).isEqualTo(0L);
        } finally {
            gate.open();
        }

        assertThat(shard()).isEqualTo(expected);
    }

    /**
     * A shard written only by bounded jobs, each of whose one commit is its last committable, still gets its history
     * hold (otherwise readers moving their sinces would make it forget the history its retention promises).
     */
    @Test
    void theLastCommittableStillRegistersTheHistoryHold() throws Exception {
        try (PersistCommitter committer = committer()) {
            commitValues(committer, 1, true);
        }

        assertThat(latestState().criticalReaders()).containsKey(ShardMaintenance.HISTORY_HOLD);
    }

    /** The same for the orphan sweep: otherwise a shard written only by bounded jobs would keep its orphans. */
    @Test
    void theLastCommittableStillSweepsOrphans() throws Exception {
        config = config(builder -> builder.inlineThresholdBytes(0).markerRetention(Duration.ofSeconds(1))
                .orphanGrace(Duration.ofSeconds(2)));
        List<String> orphan;
        try (PersistClient client = config.openClient()) {
            BatchBuilder builder = client.batchBuilder(config.shardId(), Frontier.MINIMUM, PartIdSequence.random());
            builder.add(new byte[0], "orphan".getBytes(StandardCharsets.UTF_8), 0, 1);
            orphan = builder.finish(Frontier.of(1)).intoHollowBatch().parts().stream()
                    .map(p -> p.blobKey(config.shardId())).toList();
        }
        assertThat(orphan).isNotEmpty();
        Thread.sleep(2_500);

        try (PersistCommitter committer = committer()) {
            commitValues(committer, 1, true);
        }

        try (Blob blob = config.location().openBlob(config.persistConfig().hadoopOptions(), RetryPolicy.DEFAULT)) {
            for (String key : orphan) {
                assertThat(blob.get(key)).as("orphan %s", key).isEmpty();
            }
        }
        assertThat(shard()).isEqualTo(ones(values("c1-", 10)));
    }

    /** Commits ten values of checkpoint {@code checkpointId} and returns them as the shard should hold them. */
    private Map<String, Long> commitValues(PersistCommitter committer, long checkpointId, boolean endOfInput) {
        List<String> values = values("c" + checkpointId + "-", 10);
        PersistCommittable committable = committable("run-a", checkpointId, values);
        RecordingCommitRequest request = new RecordingCommitRequest(new PersistCommittable(committable.committer(),
                checkpointId, committable.preparedAtMs(), committable.batches(), endOfInput));
        committer.commit(List.of(request));
        assertThat(request.signal).as("checkpoint %d committed", checkpointId)
                .isEqualTo(RecordingCommitRequest.Signal.NONE);
        return ones(values);
    }

    /** Version 1, as earlier builds wrote it into checkpoints: its marker is the sink id and the job id. */
    @Test
    void theCommittableSerializerReadsVersion1() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF("persist-sink:s1");
            out.writeUTF("0123456789abcdef0123456789abcdef");
            out.writeLong(42);
            out.writeInt(1);
            out.writeInt(3);
            out.write(new byte[] {1, 2, 3});
        }

        PersistCommittable back = new PersistCommittableSerializer().deserialize(1, bytes.toByteArray());

        assertThat(back.committer()).isEqualTo("persist-sink:s1/0123456789abcdef0123456789abcdef");
        assertThat(back.checkpointId()).isEqualTo(42);
        assertThat(back.preparedAtMs()).isEqualTo(CommitMarker.UNKNOWN_PREPARED_AT);
        assertThat(back.batches()).containsExactly(new byte[] {1, 2, 3});
    }

    private PersistCommitter committer() {
        return new PersistCommitter(config,
                InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricsGroup.createOperatorMetricGroup()));
    }

    /** One writer's batch built as the sink's writers build it: at time 0 with upper [1]. */
    private PersistCommittable committable(String run, long checkpointId, List<String> values) {
        try (PersistClient client = config.openClient()) {
            BatchBuilder builder = client.batchBuilder(config.shardId(), Frontier.MINIMUM, PartIdSequence.random());
            values.forEach(v -> builder.add(new byte[0], v.getBytes(StandardCharsets.UTF_8), 0, 1));
            byte[] batch = builder.finish(Frontier.of(1)).toTransmittable();
            return new PersistCommittable(SinkMarkers.commits(config.sinkId(), run), checkpointId,
                    System.currentTimeMillis(), List.of(batch), false);
        }
    }

    private static PersistCommittable withPreparedAt(PersistCommittable committable, long preparedAtMs) {
        return new PersistCommittable(committable.committer(), committable.checkpointId(), preparedAtMs,
                committable.batches(), committable.endOfInput());
    }

    private PersistSinkConfig shortRetentionConfig() {
        return config(builder -> builder.markerRetention(Duration.ofDays(1)));
    }

    private int batchCount() {
        return latestState().batches().size();
    }

    private ShardState latestState() {
        try (Blob blob = config.location().openBlob(config.persistConfig().hadoopOptions(), RetryPolicy.DEFAULT);
                Consensus consensus = config.location().openConsensus()) {
            return StateVersions.readLatest(config.shardId(), consensus, blob).orElseThrow();
        }
    }

    private Map<String, Long> shard() {
        try (PersistClient client = config.openClient();
                ReadHandle reader = client.openReader(config.shardId(), config.codecs())) {
            Frontier upper = reader.fetchRecentUpper();
            if (upper.equals(Frontier.MINIMUM)) {
                return Map.of();
            }
            long asOf = upper.element().orElseThrow() - 1;
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
