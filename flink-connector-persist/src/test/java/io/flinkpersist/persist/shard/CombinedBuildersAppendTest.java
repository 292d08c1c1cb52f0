package io.flinkpersist.persist.shard;

import static io.flinkpersist.persist.shard.ShardContractTest.CODECS;
import static io.flinkpersist.persist.shard.ShardContractTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ListenBatch;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One append may combine batches of builders configured differently (a committer appending what other processes
 * built): a consolidating builder's run of several sorted parts next to an unconsolidated builder's unsorted part.
 * Found by {@link ShardModelTest}: the reader used to judge every part sorted from the first kind of run, and the
 * shard could no longer be read ("a run is not sorted").
 */
class CombinedBuildersAppendTest {
    private final String stores = "mem://combined-" + UUID.randomUUID();
    private final PersistLocation location = PersistLocation.parse(stores, stores);
    // Every update a part of its own: sorted parts that continue one run.
    private final PersistClient consolidating = open(BatchBuilderConfig.builder().blobTargetSizeBytes(0).consolidate(true));
    private final PersistClient unconsolidated = open(BatchBuilderConfig.builder().consolidate(false));
    private final ShardId shard = ShardId.random();

    private PersistClient open(BatchBuilderConfig.Builder batch) {
        return PersistClient.open(location, PersistConfig.builder().batch(batch.inlineWritesSingleMaxBytes(0).build()).build());
    }

    @AfterEach
    void close() {
        consolidating.close();
        unconsolidated.close();
    }

    private static Batch batch(WriteHandle writer, String... keys) {
        BatchBuilder builder = writer.builder(Frontier.MINIMUM);
        for (String key : keys) {
            builder.add(bytes(key), bytes(""), 1, 1);
        }
        return builder.finish(Frontier.of(2));
    }

    /** Every update in the order read, so that an unsorted or unconsolidated read shows. */
    private static List<String> drain(Consolidator updates) {
        List<String> all = new ArrayList<>();
        while (updates.next()) {
            all.add(new String(updates.key(), StandardCharsets.UTF_8) + "@" + updates.time() + ":" + updates.diff());
        }
        return all;
    }

    @Test
    void sortedRunsAndUnsortedPartsAppendedTogetherReadBackConsolidated() {
        WriteHandle committer = consolidating.openWriter(shard, CODECS);
        Batch sortedRun = batch(committer, "a", "c");
        Batch unsortedPart = batch(unconsolidated.openWriter(shard, CODECS), "d", "b", "a");
        assertThat(sortedRun.hollowBatch().parts()).hasSize(2);
        assertThat(sortedRun.hollowBatch().runSplits()).isEmpty();
        assertThat(unsortedPart.hollowBatch().parts()).hasSize(1);

        assertThat(committer.compareAndAppend(List.of(sortedRun, unsortedPart), Frontier.MINIMUM, Frontier.of(2)))
                .isInstanceOf(AppendResult.Committed.class);

        try (ReadHandle reader = consolidating.openReader(shard, CODECS)) {
            List<String> expected = List.of("a@1:2", "b@1:1", "c@1:1", "d@1:1");
            assertThat(drain(reader.snapshot(1, Duration.ofSeconds(5)))).isEqualTo(expected);
            ListenBatch changes = reader.listen(0).next(Duration.ofSeconds(5));
            assertThat(drain(changes.updates())).isEqualTo(expected);
            assertThat(changes.progress()).isEqualTo(Frontier.of(2));
        }
    }
}
