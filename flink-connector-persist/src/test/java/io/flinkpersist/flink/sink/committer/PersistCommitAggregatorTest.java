package io.flinkpersist.flink.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.flink.sink.writer.AbandonedSession;
import io.flinkpersist.flink.sink.writer.PersistWriteResult;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The aggregator in Flink's operator test harness, on an in-memory shard. */
class PersistCommitAggregatorTest {
    private final String stores = "mem://aggregator-" + UUID.randomUUID();
    private final PersistSinkConfig config = PersistSink.<String>builder()
            .blobUri(stores)
            .consensusUri(stores)
            .shardName("aggregator-test")
            .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
            .partTargetSizeBytes(64)
            .inlineThresholdBytes(0)
            .build()
            .config();
    private OneInputStreamOperatorTestHarness<CommittableMessage<PersistWriteResult>,
            CommittableMessage<PersistCommittable>> harness;

    @BeforeEach
    void open() throws Exception {
        harness = openAggregator();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private OneInputStreamOperatorTestHarness<CommittableMessage<PersistWriteResult>,
            CommittableMessage<PersistCommittable>> openAggregator() throws Exception {
        OneInputStreamOperatorTestHarness<CommittableMessage<PersistWriteResult>,
                CommittableMessage<PersistCommittable>> opened =
                new OneInputStreamOperatorTestHarness<>(new PersistCommitAggregator(config));
        opened.open();
        return opened;
    }

    private void result(long checkpointId, String batch) throws Exception {
        harness.processElement(new CommittableWithLineage<>(
                new PersistWriteResult(batch.getBytes(StandardCharsets.UTF_8), List.of()), checkpointId, 0), 0);
    }

    /** The committables emitted so far; summaries checked on the way. */
    private List<PersistCommittable> committables() {
        List<CommittableMessage<PersistCommittable>> messages = harness.extractOutputValues();
        for (int i = 0; i < messages.size(); i += 2) {
            CommittableSummary<PersistCommittable> summary = (CommittableSummary<PersistCommittable>) messages.get(i);
            assertThat(summary.getNumberOfCommittables()).isEqualTo(1);
            assertThat(((CommittableWithLineage<?>) messages.get(i + 1)).getCheckpointId())
                    .isEqualTo(summary.getCheckpointId());
        }
        return messages.stream().filter(m -> m instanceof CommittableWithLineage<?>)
                .map(m -> ((CommittableWithLineage<PersistCommittable>) m).getCommittable())
                .toList();
    }

    /** The committables emitted so far, as (checkpoint id, batches) strings. */
    private List<String> emitted() {
        return committables().stream()
                .map(c -> c.checkpointId() + ":" + c.batches().stream()
                        .map(b -> new String(b, StandardCharsets.UTF_8)).toList())
                .toList();
    }

    @Test
    void joinsEveryWritersBatchOfACheckpointIntoOneCommittableOfThisRun() throws Exception {
        long before = System.currentTimeMillis();
        result(1, "a");
        result(1, "b");
        harness.prepareSnapshotPreBarrier(1);
        result(2, "c");
        harness.prepareSnapshotPreBarrier(2);

        assertThat(emitted()).containsExactly("1:[a, b]", "2:[c]");
        List<PersistCommittable> committables = committables();
        // One run: both checkpoints under one marker name, the sink id and a random run id.
        assertThat(committables).extracting(PersistCommittable::committer).containsOnly(committables.get(0).committer());
        String run = committables.get(0).committer().substring((config.sinkId() + "/").length());
        assertThat(committables.get(0).committer()).isEqualTo(SinkMarkers.commits(config.sinkId(), run));
        assertThat(UUID.fromString(run).toString()).isEqualTo(run);
        assertThat(committables.get(0).preparedAtMs()).isBetween(before, System.currentTimeMillis());
        assertThat(committables).extracting(PersistCommittable::endOfInput).containsOnly(false);
    }

    /** Whatever the job id or checkpoint ids: a restarted aggregator's committables are never an earlier run's. */
    @Test
    void eachStartIsANewRun() throws Exception {
        result(1, "a");
        harness.prepareSnapshotPreBarrier(1);
        var restarted = openAggregator();
        try {
            restarted.processElement(new CommittableWithLineage<>(
                    new PersistWriteResult("b".getBytes(StandardCharsets.UTF_8), List.of()), 1, 0), 0);
            restarted.prepareSnapshotPreBarrier(1);
            PersistCommittable again = ((CommittableWithLineage<PersistCommittable>) restarted.extractOutputValues()
                    .get(1)).getCommittable();

            assertThat(again.checkpointId()).isEqualTo(committables().get(0).checkpointId());
            assertThat(again.committer()).isNotEqualTo(committables().get(0).committer());
        } finally {
            restarted.close();
        }
    }

    @Test
    void aBatchOfALaterCheckpointWaitsForItsOwnBarrier() throws Exception {
        // Without aligned barriers a fast writer's batch of checkpoint 2 can come before another's of 1.
        result(2, "fast");
        result(1, "slow");
        harness.prepareSnapshotPreBarrier(1);
        assertThat(emitted()).containsExactly("1:[slow]");

        harness.prepareSnapshotPreBarrier(2);
        assertThat(emitted()).containsExactly("1:[slow]", "2:[fast]");
    }

    @Test
    void aLateBatchOfAnEarlierCheckpointGoesWithTheNextBarrier() throws Exception {
        harness.prepareSnapshotPreBarrier(1);
        result(1, "late");
        harness.prepareSnapshotPreBarrier(2);

        assertThat(emitted()).containsExactly("1:[]", "2:[late]");
    }

    @Test
    void endOfInputEmitsEverythingWithTheGreatestCheckpointIdAndTheFinalCheckpointNothingMore() throws Exception {
        result(3, "a");
        result(4, "b");
        harness.endInput();
        // The final checkpoint after end of input has the id the writers stamped their last results with.
        harness.prepareSnapshotPreBarrier(4);

        assertThat(emitted()).containsExactly("4:[a, b]");
        assertThat(committables().get(0).endOfInput()).as("the last committable says the input ended").isTrue();
    }

    /**
     * An idle checkpoint still tells the committer it is caught up; it costs the shard nothing. With nothing left at
     * the end of input, the final checkpoint's empty committable tells the committer that the input ended.
     */
    @Test
    void aCheckpointWithoutBatchesEmitsAnEmptyCommittableAndEndOfInputNothing() throws Exception {
        harness.prepareSnapshotPreBarrier(1);
        harness.endInput();

        assertThat(emitted()).containsExactly("1:[]");

        harness.prepareSnapshotPreBarrier(2);
        assertThat(emitted()).containsExactly("1:[]", "2:[]");
        assertThat(committables()).extracting(PersistCommittable::endOfInput).containsExactly(false, true);
    }

    @Test
    void aSavepointIsRecordedInTheShardUnderTheSinkInstanceAndACheckpointIsNot() throws Exception {
        String savepoints = SinkMarkers.savepoints(config.sinkId(), config.instanceId());
        harness.snapshot(3, 3);
        assertThat(recorded(savepoints)).isEmpty();

        harness.snapshotWithLocalState(4, 4, SavepointType.savepoint(SavepointFormatType.CANONICAL));
        assertThat(recorded(savepoints)).hasValue(4);
    }

    @Test
    void theLeftoversOfAnAbandonedSessionPastItsCheckpointAreDeleted() throws Exception {
        UUID session = UUID.randomUUID();
        int parts = writeParts(session, 0);
        assertThat(parts).isGreaterThan(2);

        abandon(new AbandonedSession(writerKey().toString(), session, 2, 4, 7));

        // Positions 0 and 1 were in the restored checkpoint: they stay; everything after is gone.
        assertThat(deleteRemaining(session, 2)).isZero();
        assertThat(deleteRemaining(session, 0)).isEqualTo(2);
    }

    @Test
    void theLeftoversOfAnAbandonedSessionStayWhenASavepointWasTakenAfterItsCheckpoint() throws Exception {
        UUID session = UUID.randomUUID();
        int parts = writeParts(session, 0);
        try (PersistClient client = config.openClient();
                WriteHandle writer = client.openWriter(config.shardId(), config.codecs())) {
            writer.recordMarker(new CommitMarker(SinkMarkers.savepoints(config.sinkId(), config.instanceId()), 8));
        }

        abandon(new AbandonedSession(writerKey().toString(), session, 0, 4, 7));

        assertThat(deleteRemaining(session, 0)).isEqualTo(parts);
    }

    private void abandon(AbandonedSession session) throws Exception {
        harness.processElement(new CommittableWithLineage<>(new PersistWriteResult(null, List.of(session)), 8, 0), 0);
    }

    /** Writes a batch whose parts take ids of {@code session} from {@code from}; returns how many parts. */
    private int writeParts(UUID session, long from) {
        try (PersistClient client = config.openClient()) {
            BatchBuilder builder = client.batchBuilder(config.shardId(), Frontier.MINIMUM,
                    new PartIdSequence(session, from));
            for (int i = 0; i < 200; i++) {
                builder.add(new byte[0], ("value-" + i).getBytes(StandardCharsets.UTF_8), 0, 1);
            }
            // Handed on (as to a checkpoint that then failed): nobody appends or deletes it.
            return builder.finish(Frontier.of(1)).intoHollowBatch().parts().size();
        }
    }

    private long deleteRemaining(UUID session, long from) {
        try (PersistClient client = config.openClient();
                WriteHandle writer = client.openWriter(config.shardId(), config.codecs())) {
            return writer.deleteAbandonedParts(writerKey(), session, from, 4).deleted();
        }
    }

    private WriterKey writerKey() {
        return config.persistConfig().batch().writerKey();
    }

    private OptionalLong recorded(String marker) {
        try (PersistClient client = config.openClient();
                WriteHandle writer = client.openWriter(config.shardId(), config.codecs())) {
            return writer.fetchMarker(marker);
        }
    }
}
