package io.flinkpersist.persist.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Codecs;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compaction and garbage collection through the public API, on a shard written like a sink's: two writers per
 * commit, every commit updating keys it wrote before (a retraction and an insertion each).
 */
class CompactionTest {
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");
    private static final int KEYS = 40;
    private static final Duration READ = Duration.ofSeconds(5);

    private final String name = "compaction-" + UUID.randomUUID();
    private final ShardId shard = ShardId.random();
    /** What the shard holds: the latest value of every key written. */
    private final Map<String, String> live = new TreeMap<>();
    private long upper;

    private PersistClient open(CompactionSettings compaction, long partTargetBytes) {
        return open(compaction, partTargetBytes, 8);
    }

    private PersistClient open(CompactionSettings compaction, long partTargetBytes, int rollupThreshold) {
        PersistConfig config = PersistConfig.builder()
                .rollupThreshold(rollupThreshold)
                .compaction(compaction)
                .batch(BatchBuilderConfig.builder()
                        .blobTargetSizeBytes(partTargetBytes)
                        // Every part in blob, so that what garbage collection deletes shows in blob.
                        .inlineWritesSingleMaxBytes(0)
                        .build())
                .build();
        return PersistClient.open(PersistLocation.parse("mem://" + name, "mem://" + name), config);
    }

    private static CompactionSettings noHistory() {
        return CompactionSettings.defaults().withHistoryRetention(Duration.ZERO);
    }

    /** One commit: each writer builds a batch updating a few keys; both are appended together. */
    private void commit(WriteHandle committer, List<WriteHandle> writers, int commit) {
        List<Batch> batches = new ArrayList<>();
        for (int w = 0; w < writers.size(); w++) {
            BatchBuilder builder = writers.get(w).builder(Frontier.of(upper));
            for (int i = 0; i < 3; i++) {
                String key = "k" + ((commit * 7 + w * 13 + i * 3) % KEYS);
                String value = "v" + commit + "-" + w + "-" + i;
                String previous = live.put(key, value);
                if (previous != null) {
                    builder.add(bytes(key), bytes(previous), upper, -1);
                }
                builder.add(bytes(key), bytes(value), upper, 1);
            }
            batches.add(builder.finish(Frontier.of(upper + 1)));
        }
        AppendResult result = committer.compareAndAppend(batches, Frontier.of(upper), Frontier.of(upper + 1));
        assertThat(result).isInstanceOf(AppendResult.Committed.class);
        upper++;
    }

    private Map<String, String> snapshot(ReadHandle reader) {
        return toMap(reader.snapshot(upper - 1, READ));
    }

    private static Map<String, String> toMap(Consolidator updates) {
        Map<String, String> read = new TreeMap<>();
        while (updates.next()) {
            assertThat(updates.diff()).as("every key holds one value once").isEqualTo(1);
            assertThat(read.put(string(updates.key()), string(updates.value()))).isNull();
        }
        return read;
    }

    private ShardState state() {
        return StateVersions.readLatest(shard, MemConsensus.named(name), MemBlob.named(name)).orElseThrow();
    }

    private List<String> partsInBlob() {
        List<String> parts = new ArrayList<>();
        MemBlob.named(name).list(shard + "/", (key, size) -> {
            if (!key.startsWith(shard + "/v")) {
                parts.add(key);
            }
        });
        return parts;
    }

    private static long bound(long commits) {
        return (long) Math.ceil(2 * Math.log(commits) / Math.log(2)) + 8;
    }

    @Test
    void aShardWrittenForThousandsOfCommitsKeepsALogarithmicNumberOfBatchesAndItsLiveParts() {
        try (PersistClient client = open(noHistory(), 1024)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            int commits = 2_000;
            long maxParts = 0;
            for (int c = 1; c <= commits; c++) {
                commit(committer, writers, c);
                maintenance.compact(10);
                ShardState state = state();
                assertThat((long) state.batches().size()).as("batches after %d commits", c).isLessThanOrEqualTo(bound(c));
                assertThat((long) state.batches().stream().mapToInt(HollowBatch::runCount).sum())
                        .as("runs a snapshot merges after %d commits", c).isLessThanOrEqualTo(bound(c));
                maxParts = Math.max(maxParts, partsInBlob().size());
            }
            MaintenanceMetrics metrics = maintenance.metrics();
            assertThat(metrics.compactionsApplied()).isPositive();
            assertThat(metrics.compactionsDiscarded()).isZero();
            // Whichever handle's transition was assigned a rollup collected the garbage.
            assertThat(maintenance.stateMetrics().partsDeleted() + committer.stateMetrics().partsDeleted()).isPositive();
            // 4,000 parts were written by the writers alone; what stays is the live data and a few rollups' worth
            // of replaced parts that older versions still reference.
            assertThat(maxParts).isLessThan(400);
            // History is consolidated: one update per key, whatever was written before.
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                assertThat(snapshot(reader)).isEqualTo(live);
            }
            long liveUpdates = state().batches().stream().mapToLong(HollowBatch::len).sum();
            assertThat(liveUpdates).isLessThan(4L * KEYS);
        }
    }

    @Test
    void aSnapshotStillStreamingWhileItsBatchesAreCompactedAndCollectedReadsThemAll() {
        // Tiny parts: each run is many parts, fetched one at a time as the merge reaches them.
        try (PersistClient client = open(CompactionSettings.defaults().withHistoryRetention(Duration.ZERO)
                .withMemoryBound(4 * 64), 64)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            for (int c = 1; c <= 20; c++) {
                commit(committer, writers, c);
            }
            ReadHandle reader = client.openReader(shard, CODECS);
            Map<String, String> expected = new TreeMap<>(live);
            Consolidator streaming = reader.snapshot(upper - 1, READ);
            assertThat(streaming.next()).isTrue();
            Map<String, String> read = new TreeMap<>();
            read.put(string(streaming.key()), string(streaming.value()));

            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            for (int c = 21; c <= 120; c++) {
                commit(committer, writers, c);
                maintenance.compact(10);
                // The reader keeps its lease, and would move its hold past the version it is reading if it could.
                reader.heartbeat();
            }
            assertThat(maintenance.metrics().compactionsApplied()).isPositive();
            // The read holds the version it reads: nothing it references was collected.
            assertThat(maintenance.stateMetrics().partsDeleted() + committer.stateMetrics().partsDeleted()).isZero();
            while (streaming.next()) {
                read.put(string(streaming.key()), string(streaming.value()));
            }
            assertThat(read).isEqualTo(expected);

            // Done reading: the next heartbeat lets the hold go, and the replaced parts with it.
            reader.heartbeat();
            for (int c = 121; c <= 140; c++) {
                commit(committer, writers, c);
                maintenance.compact(10);
            }
            // Whichever handle's transition was assigned a rollup collected the garbage.
            assertThat(maintenance.stateMetrics().partsDeleted() + committer.stateMetrics().partsDeleted()).isPositive();
            assertThat(snapshot(reader)).isEqualTo(live);
            reader.close();
        }
    }

    /**
     * A merge's inputs are deleted as soon as it applies when no reader is registered, not when a rollup of the state
     * lets garbage collection find them: until then blob would hold both the inputs and the output.
     */
    @Test
    void theInputsOfAMergeAreDeletedAsSoonAsItAppliesWhenNoReaderCanReadThem() {
        // No rollup after the shard's first: garbage collection never runs here.
        try (PersistClient client = open(noHistory().withThresholds(2, 1, 1), 1024, 10_000)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            for (int c = 1; c <= 30; c++) {
                commit(committer, writers, c);
                maintenance.compact(10);

                assertThat(partsInBlob()).as("parts in blob after the merges of commit " + c)
                        .containsExactlyInAnyOrderElementsOf(referencedParts());
            }
            assertThat(maintenance.metrics().compactionsApplied()).isGreaterThan(5);
            assertThat(state().rollups().keySet()).as("only the shard's first rollup: garbage collection never ran")
                    .containsExactly(SeqNo.of(1));
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                assertThat(snapshot(reader)).isEqualTo(live);
            }
        }
    }

    /**
     * A merge's inputs that a reader may still read (its hold is on an older version) stay until it moves past the
     * merge; the next round of maintenance then deletes them, without waiting for a rollup.
     */
    @Test
    void theInputsOfAMergeStayUntilEveryReaderHoldsALaterVersion() {
        try (PersistClient client = open(noHistory().withThresholds(2, 1, 1), 1024, 10_000)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            for (int c = 1; c <= 6; c++) {
                commit(committer, writers, c);
            }
            ReadHandle reader = client.openReader(shard, CODECS);
            Map<String, String> expected = new TreeMap<>(live);
            Consolidator streaming = reader.snapshot(upper - 1, READ);
            List<String> read = referencedParts();
            for (int c = 7; c <= 12; c++) {
                commit(committer, writers, c);
                maintenance.compact(10);
                reader.heartbeat();
            }
            assertThat(maintenance.metrics().compactionsApplied()).isPositive();
            assertThat(referencedParts()).as("merged").doesNotContainAnyElementsOf(read);
            assertThat(partsInBlob()).as("the parts of the version the reader reads").containsAll(read);
            assertThat(toMap(streaming)).isEqualTo(expected);

            // Done reading: the heartbeat moves the hold to the latest version, and the next round deletes.
            reader.heartbeat();
            maintenance.nextMerge(Frontier.MINIMUM);
            assertThat(partsInBlob()).containsExactlyInAnyOrderElementsOf(referencedParts());
            assertThat(snapshot(reader)).isEqualTo(live);
            reader.close();
        }
    }

    private List<String> referencedParts() {
        return state().batches().stream().flatMap(b -> b.parts().stream()).map(p -> p.blobKey(shard)).toList();
    }

    /**
     * While a merge of the shard's batches is in progress, another maintainer plans a merge of only the batches
     * committed after them: both apply, and the shard reads the same.
     */
    @Test
    void aMergeOfTheNewestBatchesAppliesNextToAMergeOfOlderOnesInProgress() {
        try (PersistClient client = open(noHistory().withThresholds(2, 1, 1), 1024)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS));
            for (int c = 1; c <= 4; c++) {
                commit(committer, writers, c);
            }
            ShardMaintenance older = client.openMaintenance(shard, CODECS);
            ShardMaintenance newer = client.openMaintenance(shard, CODECS);
            CompactionRequest inProgress = older.nextMerge(Frontier.MINIMUM).orElseThrow();
            for (int c = 5; c <= 8; c++) {
                commit(committer, writers, c);
            }

            CompactionRequest newest = newer.nextMerge(inProgress.desc().upper()).orElseThrow();
            assertThat(newest.inputs()).as("a merge planned after the one in progress")
                    .allMatch(b -> !b.desc().lower().lessThan(inProgress.desc().upper()));
            assertThat(newer.compact(newest).applied()).isTrue();
            assertThat(older.compact(inProgress).applied()).isTrue();

            List<HollowBatch> batches = state().batches();
            assertThat(batches).hasSize(2);
            assertThat(batches.get(0).desc().upper()).isEqualTo(inProgress.desc().upper());
            assertThat(older.nextMerge(Frontier.of(upper))).isEmpty();
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                assertThat(snapshot(reader)).isEqualTo(live);
            }
        }
    }

    @Test
    void aMergeWhoseInputsAnotherOneReplacedLeavesNothingBehind() {
        try (PersistClient client = open(noHistory().withThresholds(2, 1, 1), 1024)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS));
            for (int c = 1; c <= 4; c++) {
                commit(committer, writers, c);
            }
            ShardMaintenance first = client.openMaintenance(shard, CODECS);
            ShardMaintenance second = client.openMaintenance(shard, CODECS);
            CompactionRequest request = first.nextRequest().orElseThrow();
            assertThat(second.compact(10)).anyMatch(CompactionOutcome::applied);
            List<String> before = partsInBlob();

            CompactionOutcome lost = first.compact(request);

            assertThat(lost.applied()).isFalse();
            assertThat(first.metrics().compactionsDiscarded()).isEqualTo(1);
            assertThat(partsInBlob()).as("the losing merge's output was deleted").containsExactlyInAnyOrderElementsOf(before);
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                assertThat(snapshot(reader)).isEqualTo(live);
            }
        }
    }

    /**
     * A merge asked to stop (a committer closing) deletes what it wrote and applies nothing: the shard reads as
     * before and holds no part of it. Asked at its first look; once an intermediate run of a merge in several passes
     * is written; once its output has parts in blob (single pass).
     */
    @ParameterizedTest(name = "stop {0}")
    @ValueSource(strings = {"at once", "after an intermediate run", "after output parts"})
    void aMergeAskedToStopLeavesNothingBehind(String when) {
        // Parts of 64 bytes: a merge writes parts early; a tight memory bound makes it merge in several passes.
        CompactionSettings compaction = noHistory().withThresholds(2, 1, 1);
        try (PersistClient client = open(when.equals("after output parts") ? compaction
                : compaction.withMemoryBound(4 * 64 + 64), 64)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            for (int c = 1; c <= 12; c++) {
                commit(committer, writers, c);
            }
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            CompactionRequest request = maintenance.nextRequest().orElseThrow();
            List<String> before = partsInBlob();
            AtomicBoolean wroteParts = new AtomicBoolean();
            BooleanSupplier stop = when.equals("at once") ? () -> true : () -> {
                if (partsInBlob().size() > before.size()) {
                    wroteParts.set(true);
                }
                return wroteParts.get();
            };

            CompactionOutcome stopped = maintenance.compact(request, stop);

            assertThat(stopped.applied()).isFalse();
            assertThat(wroteParts.get()).as("the merge had written parts when it stopped").isEqualTo(!when.equals("at once"));
            assertThat(maintenance.metrics().compactionsDiscarded()).isEqualTo(1);
            assertThat(partsInBlob()).as("what the merge wrote was deleted").containsExactlyInAnyOrderElementsOf(before);
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                assertThat(snapshot(reader)).isEqualTo(live);
            }
            assertThat(maintenance.compact(request).applied()).as("the same merge, not stopped").isTrue();
        }
    }

    @Test
    void runsBeyondTheMemoryBoundAreMergedInSeveralPassesToTheSameUpdates() {
        // Room for the output's buffers and one 64-byte part per run: a merge of many runs takes several passes.
        try (PersistClient client = open(noHistory().withMemoryBound(4 * 64 + 64), 64)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS),
                    client.openWriter(shard, CODECS));
            for (int c = 1; c <= 12; c++) {
                commit(committer, writers, c);
            }
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            List<CompactionOutcome> outcomes = maintenance.compact(10);
            assertThat(outcomes).anyMatch(o -> o.applied() && o.passes() > 1);
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                assertThat(snapshot(reader)).isEqualTo(live);
            }
            // Intermediate runs are deleted once the output is written.
            maintenance.compact(10);
            for (int c = 13; c <= 60; c++) {
                commit(committer, writers, c);
            }
            Map<String, Long> referenced = new TreeMap<>();
            state().batches().forEach(b -> b.parts().forEach(p -> referenced.put(p.blobKey(shard), 1L)));
            assertThat(partsInBlob()).containsAll(referenced.keySet());
        }
    }

    @Test
    void theSinceFollowsTheHistoryRetentionButNeverPassesAReader() {
        try (PersistClient client = open(CompactionSettings.defaults().withHistoryRetention(Duration.ofMillis(10))
                .withThresholds(2, 1, 1), 1024)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS));
            ReadHandle reader = client.openReader(shard, CODECS);
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            for (int c = 1; c <= 30; c++) {
                commit(committer, writers, c);
            }
            maintenance.compact(10);
            // The reader registered at since 0 and holds it there.
            assertThat(reader.since()).isEqualTo(Frontier.MINIMUM);
            reader.downgradeSince(Frontier.of(5));
            reader.close();
            for (int c = 31; c <= 40; c++) {
                commit(committer, writers, c);
            }
            maintenance.compact(10);
            // No reader left: the since is the retention behind the latest readable time.
            assertThat(state().since()).isEqualTo(Frontier.of(upper - 1 - 10));
            try (ReadHandle late = client.openReader(shard, CODECS)) {
                assertThatThrownBy(() -> late.snapshot(upper - 12, READ))
                        .isExactlyInstanceOf(InvalidUsageException.AsOfBelowSince.class);
                assertThat(toMap(late.snapshot(upper - 11, READ))).isNotEmpty();
                assertThat(snapshot(late)).isEqualTo(live);
            }
        }
    }

    /**
     * With the history hold a compacting sink registers, a reader that moves its since to the latest time (as a
     * finished snapshot or a changelog reader does) no longer moves the shard's: history within the retention stays
     * readable, and the hold follows the retention only as compaction moves it. The hold is in the stored state
     * (rollups and diffs), registering it again changes nothing, and it stays when every reader is gone.
     */
    @Test
    void withAHistoryHoldAReaderMovingItsSinceLeavesTheRetainedHistoryReadable() {
        try (PersistClient client = open(CompactionSettings.defaults().withHistoryRetention(Duration.ofMillis(20))
                .withThresholds(2, 1, 1), 1024)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS));
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            maintenance.holdHistory();
            ReadHandle reader = client.openReader(shard, CODECS);
            for (int c = 1; c <= 40; c++) {
                commit(committer, writers, c);
            }
            reader.downgradeSince(Frontier.of(upper - 1));

            assertThat(state().criticalReaders()).containsKey(ShardMaintenance.HISTORY_HOLD);
            assertThat(state().since()).as("held by the hold, not moved by the reader").isEqualTo(Frontier.MINIMUM);
            SeqNo before = state().seqNo();
            maintenance.holdHistory();
            assertThat(state().seqNo()).as("registering the hold again writes nothing").isEqualTo(before);

            maintenance.compact(10);
            assertThat(state().since()).as("the retention behind the latest time").isEqualTo(Frontier.of(upper - 21));
            reader.close();
            for (int c = 41; c <= 44; c++) {
                commit(committer, writers, c);
            }
            assertThat(state().since()).as("no reader left: the hold keeps the since").isEqualTo(Frontier.of(40 - 21));
            try (ReadHandle late = client.openReader(shard, CODECS)) {
                assertThat(toMap(late.snapshot(upper - 25, READ))).isNotEmpty();
                assertThatThrownBy(() -> late.snapshot(upper - 26, READ))
                        .isExactlyInstanceOf(InvalidUsageException.AsOfBelowSince.class);
                assertThat(snapshot(late)).isEqualTo(live);
            }
        }
    }

    /**
     * What a shard keeps beyond its live data is bounded by the retained history: updates the since has passed are
     * consolidated by merges, after every commit at most half as many again as the live data and retained history.
     */
    @Test
    void aShardKeepsLittleMoreThanItsLiveDataAndItsRetainedHistory() {
        long retention = 50;
        try (PersistClient client = open(CompactionSettings.defaults().withHistoryRetention(Duration.ofMillis(retention)),
                1024)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            long worst = 0;
            for (int c = 1; c <= 1_500; c++) {
                commit(committer, writers, c);
                maintenance.compact(10);
                if (c > 2 * retention) {
                    ShardState state = state();
                    long kept = state.batches().stream().mapToLong(HollowBatch::len).sum();
                    // Each commit writes 2 writers x 3 keys, a retraction and an insertion each once a key was written.
                    long history = (upper - 1 - state.since().element().orElseThrow()) * 12;
                    worst = Math.max(worst, kept * 100 / (live.size() + history));
                }
            }
            assertThat(worst).as("percent of live data and retained history kept, at worst").isLessThanOrEqualTo(150);
        }
    }

    @Test
    void theOrphanSweepDeletesOnlyUnreferencedPartsOlderThanTheGracePeriod() throws InterruptedException {
        try (PersistClient client = open(noHistory().withThresholds(2, 1, 1), 1024)) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            for (int c = 1; c <= 6; c++) {
                commit(committer, writers, c);
            }
            // A batch whose append never happened: a failed attempt's upload.
            BatchBuilder abandoned = writers.get(0).builder(Frontier.of(upper));
            abandoned.add(bytes("k0"), bytes("lost"), upper, 1);
            HollowBatch orphan = abandoned.finish(Frontier.of(upper + 1)).intoHollowBatch();
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            // Merged, so that older versions still reference parts the latest no longer does.
            assertThat(maintenance.compact(10)).anyMatch(CompactionOutcome::applied);

            OrphanSweepResult young = maintenance.sweepOrphans(Duration.ofHours(1));
            assertThat(young.deleted()).isZero();
            assertThat(young.young()).isEqualTo(orphan.parts().size());

            Thread.sleep(20);
            List<String> before = partsInBlob();
            OrphanSweepResult swept = maintenance.sweepOrphans(Duration.ofMillis(10));
            assertThat(swept.deleted()).isEqualTo(orphan.parts().size());
            List<String> expected = new ArrayList<>(before);
            orphan.parts().forEach(p -> expected.remove(p.blobKey(shard)));
            assertThat(partsInBlob()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(maintenance.metrics().orphanPartsDeleted()).isEqualTo(orphan.parts().size());
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                assertThat(snapshot(reader)).isEqualTo(live);
            }
            assertThat(maintenance.sweepOrphans(Duration.ZERO).deleted()).as("nothing else is an orphan").isZero();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
