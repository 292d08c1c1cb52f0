package io.flinkpersist.flink.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkConfig;
import io.flinkpersist.persist.PersistClient;
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
            .build()
            .config();
    private OneInputStreamOperatorTestHarness<CommittableMessage<byte[]>, CommittableMessage<PersistCommittable>>
            harness;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new PersistCommitAggregator(config));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void result(long checkpointId, String batch) throws Exception {
        harness.processElement(new CommittableWithLineage<>(batch.getBytes(StandardCharsets.UTF_8), checkpointId, 0), 0);
    }

    /** The committables emitted so far, as (checkpoint id, batches) strings; summaries checked on the way. */
    private List<String> emitted() {
        List<CommittableMessage<PersistCommittable>> messages = harness.extractOutputValues();
        for (int i = 0; i < messages.size(); i += 2) {
            CommittableSummary<PersistCommittable> summary = (CommittableSummary<PersistCommittable>) messages.get(i);
            assertThat(summary.getNumberOfCommittables()).isEqualTo(1);
            assertThat(((CommittableWithLineage<?>) messages.get(i + 1)).getCheckpointId())
                    .isEqualTo(summary.getCheckpointId());
        }
        return messages.stream().filter(m -> m instanceof CommittableWithLineage<?>)
                .map(m -> ((CommittableWithLineage<PersistCommittable>) m).getCommittable())
                .map(c -> c.checkpointId() + ":" + c.batches().stream()
                        .map(b -> new String(b, StandardCharsets.UTF_8)).toList())
                .toList();
    }

    @Test
    void joinsEveryWritersBatchOfACheckpointIntoOneCommittableStampedWithThisJob() throws Exception {
        result(1, "a");
        result(1, "b");
        harness.prepareSnapshotPreBarrier(1);

        assertThat(emitted()).containsExactly("1:[a, b]");
        PersistCommittable committable = ((CommittableWithLineage<PersistCommittable>) harness.extractOutputValues()
                .get(1)).getCommittable();
        assertThat(committable.sinkId()).isEqualTo(config.sinkId());
        assertThat(committable.jobId()).isEqualTo(harness.getEnvironment().getJobID().toString());
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

        assertThat(emitted()).containsExactly("2:[late]");
    }

    @Test
    void endOfInputEmitsEverythingWithTheGreatestCheckpointId() throws Exception {
        result(3, "a");
        result(4, "b");
        harness.endInput();

        assertThat(emitted()).containsExactly("4:[a, b]");
    }

    @Test
    void aCheckpointWithoutBatchesEmitsNothing() throws Exception {
        harness.prepareSnapshotPreBarrier(1);
        harness.endInput();

        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void aSavepointIsRecordedInTheShardAndACheckpointIsNot() throws Exception {
        String savepoints = SinkMarkers.savepoints(config.sinkId(), harness.getEnvironment().getJobID().toString());
        harness.snapshot(3, 3);
        assertThat(recorded(savepoints)).isEmpty();

        harness.snapshotWithLocalState(4, 4, SavepointType.savepoint(SavepointFormatType.CANONICAL));
        assertThat(recorded(savepoints)).hasValue(4);
    }

    private OptionalLong recorded(String marker) {
        try (PersistClient client = config.openClient();
                WriteHandle writer = client.openWriter(config.shardId(), config.codecs())) {
            return writer.fetchMarker(marker);
        }
    }
}
