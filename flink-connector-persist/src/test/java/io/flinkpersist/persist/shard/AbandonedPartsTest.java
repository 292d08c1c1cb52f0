package io.flinkpersist.persist.shard;

import static io.flinkpersist.persist.shard.ShardContractTest.CODECS;
import static io.flinkpersist.persist.shard.ShardContractTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AbandonedParts;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A writer that names its parts with a {@link PartIdSequence} can, after a crash, delete the parts it uploaded
 * past a recorded position that no batch of the shard references, and only those.
 */
class AbandonedPartsTest {
    private final String stores = "mem://abandoned-" + UUID.randomUUID();
    private final PersistLocation location = PersistLocation.parse(stores, stores);
    // Every update its own blob part.
    private final PersistClient client = PersistClient.open(location, PersistConfig.builder()
            .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(0).inlineWritesSingleMaxBytes(0).build())
            .build());
    private final Blob blob = location.openBlob(Map.of(), RetryPolicy.DEFAULT);
    private final ShardId shard = ShardId.random();
    private final UUID session = UUID.randomUUID();
    private final WriteHandle writer = client.openWriter(shard, CODECS);

    @AfterEach
    void close() {
        writer.close();
        client.close();
        blob.close();
    }

    private static Batch batch(BatchBuilder builder, int updates) {
        for (int i = 0; i < updates; i++) {
            builder.add(bytes("k" + i), bytes(""), 0, 1);
        }
        return builder.finish(Frontier.of(1));
    }

    private List<String> keysInBlob() {
        List<String> keys = new ArrayList<>();
        blob.list(shard + "/" + WriterKey.current(), (key, size) -> keys.add(key));
        return keys.stream().sorted().toList();
    }

    private List<String> keysOf(long from, long to) {
        return LongStream.range(from, to)
                .mapToObj(n -> new PartialBatchKey(WriterKey.current(), PartIdSequence.at(session, n)).complete(shard))
                .sorted().toList();
    }

    @Test
    void partsAreNamedByTheSequenceInTheOrderTheyAreCutAcrossBuilders() {
        PartIdSequence ids = new PartIdSequence(session, 5);
        batch(writer.builder(Frontier.MINIMUM, ids), 3).markConsumed();
        batch(writer.builder(Frontier.MINIMUM, ids), 2).markConsumed();

        assertThat(ids.position()).isEqualTo(10);
        assertThat(keysInBlob()).isEqualTo(keysOf(5, 10));
    }

    @Test
    void deletesTheUnappendedPartsPastThePositionAndKeepsAppendedOnes() {
        PartIdSequence ids = new PartIdSequence(session, 0);
        Batch appended = batch(writer.builder(Frontier.MINIMUM, ids), 3);
        appended.rewriteTs(Frontier.of(0), Frontier.of(1));
        assertThat(writer.compareAndAppend(List.of(appended), Frontier.MINIMUM, Frontier.of(1)))
                .isInstanceOf(AppendResult.Committed.class);
        long checkpointed = ids.position();
        // A batch finished after the recorded position and lost before it was appended.
        batch(writer.builder(Frontier.MINIMUM, ids), 4).markConsumed();
        assertThat(keysInBlob()).hasSize(7);

        AbandonedParts found = writer.deleteAbandonedParts(WriterKey.current(), session, checkpointed, 2);

        assertThat(found).isEqualTo(new AbandonedParts(4, found.deletedBytes(), 0, 7));
        assertThat(found.deletedBytes()).isPositive();
        assertThat(keysInBlob()).isEqualTo(keysOf(0, 3));
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            Consolidator snapshot = reader.snapshot(0, Duration.ofSeconds(5));
            int updates = 0;
            while (snapshot.next()) {
                updates++;
            }
            assertThat(updates).isEqualTo(3);
        }
    }

    @Test
    void referencedPartsPastThePositionAreKeptAndDoNotEndTheSearch() {
        PartIdSequence ids = new PartIdSequence(session, 0);
        Batch appended = batch(writer.builder(Frontier.MINIMUM, ids), 2);
        appended.rewriteTs(Frontier.of(0), Frontier.of(1));
        writer.compareAndAppend(List.of(appended), Frontier.MINIMUM, Frontier.of(1));
        batch(writer.builder(Frontier.MINIMUM, ids), 2).markConsumed();

        AbandonedParts found = writer.deleteAbandonedParts(WriterKey.current(), session, 0, 1);

        assertThat(found).isEqualTo(new AbandonedParts(2, found.deletedBytes(), 2, 4));
        assertThat(keysInBlob()).isEqualTo(keysOf(0, 2));
    }

    @Test
    void aGapShorterThanMaxGapIsSkippedAndALongerOneEndsTheSearch() {
        PartIdSequence ids = new PartIdSequence(session, 0);
        batch(writer.builder(Frontier.MINIMUM, ids), 6).markConsumed();
        // Positions 2 and 3 never landed (uploads in flight when the writer died).
        blob.delete(keysOf(2, 3).get(0));
        blob.delete(keysOf(3, 4).get(0));

        AbandonedParts shortSearch = writer.deleteAbandonedParts(WriterKey.current(), session, 0, 2);
        assertThat(shortSearch.deleted()).isEqualTo(2);
        assertThat(shortSearch.end()).isEqualTo(2);
        assertThat(keysInBlob()).isEqualTo(keysOf(4, 6));

        // Positions 0 to 3 are all missing now: four misses end a search allowing four, not one allowing five.
        assertThat(writer.deleteAbandonedParts(WriterKey.current(), session, 0, 4).end()).isZero();
        assertThat(keysInBlob()).isEqualTo(keysOf(4, 6));
        assertThat(writer.deleteAbandonedParts(WriterKey.current(), session, 0, 5).end()).isEqualTo(6);
        assertThat(keysInBlob()).isEmpty();
    }

    @Test
    void aSessionWithNothingPastThePositionDeletesNothing() {
        assertThat(writer.deleteAbandonedParts(WriterKey.current(), session, 17, 3))
                .isEqualTo(new AbandonedParts(0, 0, 0, 17));
        assertThatThrownBy(() -> writer.deleteAbandonedParts(WriterKey.current(), session, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxGap must be at least 1, was 0");
    }
}
