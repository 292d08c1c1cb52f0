package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.RollupId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.StateVersions;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.WriteHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Old state versions are deleted once a newer rollup holds them, except those a reader may still hold. */
class ConsensusTruncationTest {
    private static final int THRESHOLD = 16;

    /** Whatever the shard's age, a new handle reads its newest rollup and only the diffs written since. */
    @Test
    void aNewHandleAppliesAtMostAThresholdOfDiffsToTheNewestRollup() {
        String name = "open-" + UUID.randomUUID();
        ShardId shard = ShardId.random();
        PersistConfig config = PersistConfig.builder().rollupThreshold(THRESHOLD).build();
        PersistLocation location = PersistLocation.parse("mem://" + name, "mem://" + name);
        try (PersistClient client = PersistClient.open(location, config)) {
            WriteHandle writer = client.openWriter(shard, ShardContractTest.CODECS);
            for (long t = 0; t < 1_000; t++) {
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
                if (t % 97 == 0) {
                    try (PersistClient other = PersistClient.open(location, config)) {
                        WriteHandle opened = other.openWriter(shard, ShardContractTest.CODECS);
                        assertThat(opened.upper()).isEqualTo(Frontier.of(t + 1));
                        // The diffs after the newest rollup: the threshold, plus the versions that record a rollup.
                        assertThat(opened.stateMetrics().diffsApplied()).isLessThanOrEqualTo(THRESHOLD + 2);
                        assertThat(opened.stateMetrics().stateBytes()).isPositive();
                    }
                }
            }
            // The writer applied no diff of its own: it holds every version it wrote.
            assertThat(writer.stateMetrics().diffsApplied()).isZero();
        }
    }

    /**
     * A handle that stops between writing a rollup and recording it (or loses the race to record one) leaves a
     * blob no state names: once a newer rollup is recorded it can never be, and the next collection deletes it.
     * One of a version past the newest rollup may still be recorded and stays.
     */
    @Test
    void rollupsWrittenButNeverRecordedAreDeletedOnceANewerOneIsRecorded() {
        String name = "unrecorded-" + UUID.randomUUID();
        ShardId shard = ShardId.random();
        PersistConfig config = PersistConfig.builder().rollupThreshold(THRESHOLD).build();
        try (PersistClient client = PersistClient.open(PersistLocation.parse("mem://" + name, "mem://" + name), config)) {
            WriteHandle writer = client.openWriter(shard, ShardContractTest.CODECS);
            String leftover = new PartialRollupKey(SeqNo.of(3), RollupId.random()).complete(shard);
            String future = new PartialRollupKey(SeqNo.of(1_000_000), RollupId.random()).complete(shard);
            MemBlob.named(name).set(leftover, new byte[] {1});
            MemBlob.named(name).set(future, new byte[] {2});
            for (long t = 0; t < 3 * THRESHOLD; t++) {
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
            }
            assertThat(MemBlob.named(name).get(leftover)).isEmpty();
            assertThat(MemBlob.named(name).get(future)).isPresent();
            List<String> rollups = new ArrayList<>();
            MemBlob.named(name).list(shard + "/v", (key, size) -> rollups.add(key));
            // The recorded rollups and the future one: nothing else.
            int recorded = StateVersions.readLatest(shard, MemConsensus.named(name), MemBlob.named(name))
                    .orElseThrow().rollups().size();
            assertThat(rollups).hasSize(recorded + 1);
        }
    }

    @Test
    void theLogStaysShortAndReaderHoldsAreKept() {
        String name = "truncation-" + UUID.randomUUID();
        ShardId shard = ShardId.random();
        PersistConfig config = PersistConfig.builder().rollupThreshold(THRESHOLD).build();
        try (PersistClient client = PersistClient.open(PersistLocation.parse("mem://" + name, "mem://" + name), config)) {
            WriteHandle writer = client.openWriter(shard, ShardContractTest.CODECS);
            for (long t = 0; t < 200; t++) {
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
                List<VersionedData> versions = MemConsensus.named(name).scan(shard.toString(), SeqNo.MINIMUM, 1000);
                // The oldest version kept is a rollup that the next one replaces: at most two thresholds, plus the
                // versions that record and collect rollups.
                assertThat(versions.size()).isLessThanOrEqualTo(2 * THRESHOLD + 4);
            }
            assertThat(writer.stateMetrics().versionsHeld()).isLessThanOrEqualTo(2 * THRESHOLD + 4);
            assertThat(writer.stateMetrics().versionsTruncated()).isGreaterThan(200 - 2 * THRESHOLD - 4);

            ReadHandle reader = client.openReader(shard, ShardContractTest.CODECS);
            long heldFrom = MemConsensus.named(name).head(shard.toString()).orElseThrow().seqNo().value();
            long held = reader.fetchRecentUpper().element().orElseThrow();
            for (long t = held; t < held + 100; t++) {
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
            }
            // The reader registered at heldFrom and never heartbeat since: the versions from there on stay.
            List<VersionedData> versions = MemConsensus.named(name).scan(shard.toString(), SeqNo.MINIMUM, 1000);
            assertThat(versions.get(0).seqNo().value()).isLessThanOrEqualTo(heldFrom);
            assertThat(versions).hasSizeGreaterThan(100);

            // Once the reader moves its hold, the next rollup lets the versions below it go.
            reader.heartbeat();
            for (long t = held + 100; t < held + 100 + 2 * THRESHOLD + 4; t++) {
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
            }
            assertThat(MemConsensus.named(name).scan(shard.toString(), SeqNo.MINIMUM, 1).get(0).seqNo().value())
                    .isGreaterThan(heldFrom + 100 - THRESHOLD);
        }
    }
}
