package io.flinkpersist.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.read.KeyRange;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class PersistEnumeratorTest {
    @TempDir
    Path dir;

    /**
     * After a restore at another parallelism Flink spreads the splits over the readers by itself; when one reader
     * fails, its splits come back and must go to that reader again, whatever their index says, or nobody reads them.
     */
    @Test
    void splitsOfAFailedReaderGoBackToThatReader() throws Exception {
        TestingSplitEnumeratorContext<PersistSplit> context = new TestingSplitEnumeratorContext<>(3);
        PersistSourceConfig config = PersistSource.<String>builder().embedded(dir).shardName("enumerator")
                .deserializer(PersistRecordDeserializer.keyOnly(new SimpleStringSchema())).changelog().build()
                .config();
        try (PersistEnumerator enumerator = new PersistEnumerator(context, config, false,
                new PersistEnumeratorState(List.of()))) {
            enumerator.start();
            context.registerReader(2, "localhost");
            // Index 0 would be reader 0's; this split was with reader 2 before it failed.
            PersistSplit split = PersistSplit.changesAfter("keys-0", KeyRange.ALL, 5);

            enumerator.addSplitsBack(List.of(split), 2);

            assertThat(context.getSplitAssignments().get(2).getAssignedSplits()).containsExactly(split);
            assertThat(enumerator.snapshotState(1).unassigned()).isEmpty();
        }
    }

    /**
     * A reader the enumerator has no split for must not hold the shard's since where it registered: in an unbounded
     * source it is sent a NoSplitsEvent (and keeps running), in a bounded one told there are no more splits (and
     * finishes). A reader that got splits is told neither in an unbounded source.
     */
    @ParameterizedTest(name = "bounded {0}")
    @ValueSource(booleans = {false, true})
    void aReaderWithoutSplitsIsToldToLetGoOfItsHold(boolean bounded) throws Exception {
        TestingSplitEnumeratorContext<PersistSplit> context = new TestingSplitEnumeratorContext<>(2);
        PersistSourceBuilder<String> builder = PersistSource.<String>builder().embedded(dir).shardName("enumerator")
                .deserializer(PersistRecordDeserializer.keyOnly(new SimpleStringSchema()));
        PersistSourceConfig config = (bounded ? builder.snapshot() : builder.changelog()).build().config();
        PersistSplit split = PersistSplit.snapshot("keys-0", KeyRange.ALL, 5, bounded);
        try (PersistEnumerator enumerator = new PersistEnumerator(context, config, bounded,
                new PersistEnumeratorState(List.of(split)))) {
            enumerator.start();
            context.registerReader(0, "localhost");
            enumerator.addReader(0);
            context.registerReader(1, "localhost");
            enumerator.addReader(1);

            assertThat(context.getSplitAssignments().get(0).getAssignedSplits()).containsExactly(split);
            assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isEqualTo(bounded);
            assertThat(context.getSentEvents().getOrDefault(0, List.of())).isEmpty();
            if (bounded) {
                assertThat(context.getSplitAssignments().get(1).hasReceivedNoMoreSplitsSignal()).isTrue();
                assertThat(context.getSentEvents().getOrDefault(1, List.of())).isEmpty();
            } else {
                assertThat(context.getSplitAssignments().get(1)).isNull();
                assertThat(context.getSentEvents().get(1)).containsExactly(NoSplitsEvent.INSTANCE);
            }
        }
    }
}
