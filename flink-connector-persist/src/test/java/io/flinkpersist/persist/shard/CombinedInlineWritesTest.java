package io.flinkpersist.persist.shard;

import static io.flinkpersist.persist.shard.ShardContractTest.CODECS;
import static io.flinkpersist.persist.shard.ShardContractTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateVersions;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When a shard's metadata holds its inline budget, an append moves the inline updates of all its batches into
 * one blob batch (persist's combine_inline_writes), not one blob part per batch; what readers see is unchanged,
 * rewritten times and cut intervals included, and an append that loses its race leaves nothing behind.
 */
class CombinedInlineWritesTest {
    private final String stores = "mem://inline-" + UUID.randomUUID();
    private final PersistLocation location = PersistLocation.parse(stores, stores);
    // Every part inline; the shard's metadata takes no inline bytes at all.
    private final PersistClient client = PersistClient.open(location, PersistConfig.builder()
            .inlineWritesTotalMaxBytes(0)
            .batch(BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(1 << 20).build())
            .build());
    private final ShardId shard = ShardId.random();

    @AfterEach
    void close() {
        client.close();
    }

    private static Batch batch(WriteHandle writer, long lower, long upper, long time, String... keys) {
        BatchBuilder builder = writer.builder(Frontier.of(lower));
        for (String key : keys) {
            builder.add(bytes(key), bytes("v"), time, 1);
        }
        return builder.finish(Frontier.of(upper));
    }

    @Test
    void theInlineUpdatesOfAllBatchesOfAnAppendBecomeOneBlobPart() {
        WriteHandle writer = client.openWriter(shard, CODECS);
        // Three writers' batches for one checkpoint, moved to the commit time as the sink's committer does.
        List<Batch> batches = List.of(batch(writer, 0, 5, 1, "a", "c"), batch(writer, 0, 5, 2, "b"),
                batch(writer, 0, 5, 4, "a", "d"));
        batches.forEach(b -> {
            assertThat(b.hollowBatch().parts()).allMatch(BatchPart::isInline);
            b.rewriteTs(Frontier.of(10), Frontier.of(11));
        });
        assertThat(writer.compareAndAppend(batches, Frontier.MINIMUM, Frontier.of(11)))
                .isInstanceOf(AppendResult.Committed.class);

        ShardState state = readState();
        assertThat(state.inlineBytes()).isZero();
        HollowBatch appended = state.batches().get(0);
        assertThat(appended.parts()).hasSize(1).noneMatch(BatchPart::isInline);
        assertThat(appended.len()).isEqualTo(4);
        assertThat(partsInBlob()).isEqualTo(1);
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            assertThat(drain(reader.snapshot(10, Duration.ofSeconds(5))))
                    .containsExactly("a@10:2", "b@10:1", "c@10:1", "d@10:1");
        }
    }

    @Test
    void blobPartsKeepTheirRunsAndAnAppendThatLosesItsRaceDeletesTheCombinedPart() {
        WriteHandle writer = client.openWriter(shard, CODECS);
        Batch blobBatch;
        try (PersistClient blobOnly = PersistClient.open(location, PersistConfig.builder()
                .batch(BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).blobTargetSizeBytes(0).build())
                .build())) {
            blobBatch = batch(blobOnly.openWriter(shard, CODECS), 0, 5, 3, "x", "y");
        }
        Batch inlineBatch = batch(writer, 0, 5, 3, "z");
        int blobPartsBefore = partsInBlob();

        // A stale expected upper: the combined part is written, refused, and deleted.
        assertThat(writer.compareAndAppend(List.of(blobBatch, inlineBatch), Frontier.of(1), Frontier.of(5)))
                .isInstanceOf(AppendResult.UpperMismatch.class);
        assertThat(partsInBlob()).isEqualTo(blobPartsBefore);
        // The caller's batches are unchanged and can be appended as they are.
        assertThat(inlineBatch.hollowBatch().parts()).allMatch(BatchPart::isInline);
        assertThat(writer.compareAndAppend(List.of(blobBatch, inlineBatch), Frontier.MINIMUM, Frontier.of(5)))
                .isInstanceOf(AppendResult.Committed.class);

        HollowBatch appended = readState().batches().get(0);
        // The blob batch's two one-update parts form one run; the combined inline updates another.
        assertThat(appended.parts()).hasSize(3).noneMatch(BatchPart::isInline);
        assertThat(appended.runSplits()).containsExactly(2L);
        assertThat(appended.len()).isEqualTo(3);
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            assertThat(drain(reader.snapshot(4, Duration.ofSeconds(5)))).containsExactly("x@4:1", "y@4:1", "z@4:1");
        }
    }

    @Test
    void theShardsInlineBytesStayUnderItsBudgetAndReadersSeeEveryUpdateOnce() {
        long budget = 2_000;
        try (PersistClient small = PersistClient.open(location, PersistConfig.builder()
                .inlineWritesTotalMaxBytes(budget)
                .rollupThreshold(8)
                .build())) {
            WriteHandle writer = small.openWriter(shard, CODECS);
            List<String> expected = new ArrayList<>();
            List<String> changes = new ArrayList<>();
            for (int t = 0; t < 200; t++) {
                Batch batch = batch(writer, t, t + 1, t, "k" + (t % 7), "n" + t);
                assertThat(batch.hollowBatch().parts()).allMatch(BatchPart::isInline);
                assertThat(writer.compareAndAppend(List.of(batch), Frontier.of(t), Frontier.of(t + 1)))
                        .isInstanceOf(AppendResult.Committed.class);
                assertThat(readState().inlineBytes()).as("inline bytes after append %d", t).isLessThan(budget);
                changes.add("k" + (t % 7) + "@" + t + ":1");
                changes.add("n" + t + "@" + t + ":1");
            }
            ShardState state = readState();
            // Runs of small appends became a few blob batches over the same intervals.
            assertThat(state.batches().size()).isLessThan(50);
            assertThat(state.upper()).isEqualTo(Frontier.of(200));
            for (int k = 0; k < 7; k++) {
                expected.add("k" + k + "@199:" + (200 / 7 + (k < 200 % 7 ? 1 : 0)));
            }
            for (int t = 0; t < 200; t++) {
                expected.add("n" + t + "@199:1");
            }
            try (ReadHandle reader = small.openReader(shard, CODECS)) {
                assertThat(drain(reader.snapshot(199, Duration.ofSeconds(5)))).containsExactlyInAnyOrderElementsOf(expected);
                // A listen from the start sees every update once, at its own time, across merged batches.
                io.flinkpersist.persist.read.Listen listen = reader.listen(0);
                List<String> seen = new ArrayList<>(List.of("k0@0:1", "n0@0:1"));
                while (listen.frontier().lessThan(Frontier.of(200))) {
                    seen.addAll(drain(listen.next(Duration.ofSeconds(5)).updates()));
                }
                assertThat(seen).containsExactlyInAnyOrderElementsOf(changes);
            }
        }
    }

    private ShardState readState() {
        try (Blob blob = location.openBlob(Map.of(), RetryPolicy.NO_RETRIES); Consensus consensus = location.openConsensus()) {
            return StateVersions.readLatest(shard, consensus, blob).orElseThrow();
        }
    }

    private int partsInBlob() {
        try (Blob blob = location.openBlob(Map.of(), RetryPolicy.NO_RETRIES)) {
            List<String> keys = new ArrayList<>();
            blob.list(shard + "/" + WriterKey.current(), (key, size) -> keys.add(key));
            return keys.size();
        }
    }

    private static List<String> drain(Consolidator updates) {
        List<String> all = new ArrayList<>();
        while (updates.next()) {
            all.add(new String(updates.key(), StandardCharsets.UTF_8) + "@" + updates.time() + ":" + updates.diff());
        }
        return all;
    }
}
