package io.flinkpersist.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.read.KeyRange;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateVersions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An idle reader of an unbounded source lets go of its hold on the shard; one with splits keeps it. */
class PersistSourceReaderTest {
    @TempDir
    Path dir;

    private PersistSourceConfig config() {
        return PersistSource.<String>builder().embedded(dir).shardName("reader")
                .deserializer(PersistRecordDeserializer.keyOnly(new SimpleStringSchema())).changelog().build()
                .config();
    }

    private ShardState state(PersistSourceConfig config) throws Exception {
        try (Blob blob = config.location().openBlob(Map.of(), RetryPolicy.NO_RETRIES);
                Consensus consensus = config.location().openConsensus()) {
            return StateVersions.readLatest(config.shardId(), consensus, blob).orElseThrow();
        }
    }

    @Test
    void aReaderWithoutSplitsReleasesItsLeasedReaderAndRefusesSplitsAfterwards() throws Exception {
        PersistSourceConfig config = config();
        try (PersistSourceReader<String> reader = PersistSourceReader.open(config,
                PersistRecordDeserializer.keyOnly(new SimpleStringSchema()), new TestingReaderContext())) {
            assertThat(state(config).readers()).hasSize(1);

            reader.handleSourceEvents(NoSplitsEvent.INSTANCE);

            assertThat(state(config).readers()).as("the leased reader is gone").isEmpty();
            PersistSplit split = PersistSplit.changesAfter("keys-0", KeyRange.ALL, 5);
            assertThatThrownBy(() -> reader.addSplits(List.of(split)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("released its hold");
        }
    }

    /** Restored splits reach a reader before it registers, so the enumerator cannot know it is not idle. */
    @Test
    void aReaderWithSplitsKeepsItsLeasedReader() throws Exception {
        PersistSourceConfig config = config();
        try (PersistSourceReader<String> reader = PersistSourceReader.open(config,
                PersistRecordDeserializer.keyOnly(new SimpleStringSchema()), new TestingReaderContext())) {
            reader.addSplits(List.of(PersistSplit.changesAfter("keys-0", KeyRange.ALL, 5)));

            reader.handleSourceEvents(NoSplitsEvent.INSTANCE);

            assertThat(state(config).readers()).hasSize(1);
        }
    }
}
