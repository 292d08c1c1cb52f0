package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.part.ParquetPartCodec;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.proto.diff.ProtoStateField;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffType;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffs;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.proto.stats.ProtoLegacyPartStats;
import io.flinkpersist.persist.testutils.FileTrees;
import io.flinkpersist.persist.testutils.WrittenStatsLayout;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard written by commit 5ddbfd2, whose blob parts carry the part stats of builds up to 6a7e29e (a layout of
 * their own; src/test/resources/upgrade/README.md), opened by this build: every part's stats read in persist's
 * layout with the bounds of the part's data, the diffs this build writes change no batch they do not append, and
 * its next rollup stores persist's layout.
 */
class PartStatsMigrationTest {
    private static final String FIXTURE = "/upgrade/5ddbfd2-state";
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");

    @TempDir
    Path dir;

    @Test
    void statsOfEarlierBuildsReadAndAreWrittenInPersistsLayout() throws Exception {
        Properties facts = copyFixture();
        ShardId shard = ShardId.parse(facts.getProperty("shardId"));
        long head = Long.parseLong(facts.getProperty("headSeqNo"));
        PersistLocation location = PersistLocation.embedded(dir);
        try (Blob blob = location.openBlob(Map.of(), RetryPolicy.NO_RETRIES);
                Consensus consensus = location.openConsensus()) {
            ShardState before = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
            // As stored (in the newest rollup; the diffs after it add the others): the earlier layout, not persist's.
            List<ProtoHollowBatchPart> stored = blobParts(rollupBody(shard, blob, before));
            assertThat(stored).isNotEmpty().allSatisfy(part -> {
                assertThat(ProtoLegacyPartStats.parseFrom(part.getKeyStats()).getColumnsMap())
                        .containsOnlyKeys("k", "v", "t", "d");
                assertThat(WrittenStatsLayout.parse(part.getKeyStats())).isEmpty();
            });

            // As read: persist's layout, with the bounds of each part's data.
            int parts = 0;
            for (HollowBatch batch : before.batches()) {
                for (BatchPart part : batch.parts()) {
                    if (part.isInline()) {
                        continue;
                    }
                    byte[] data = blob.get(part.blobKey(shard)).orElseThrow();
                    var updates = ParquetPartCodec.decode(part.blobKey(shard), data).updates();
                    assertThat(WrittenStatsLayout.parse(part.proto().getKeyStats())).as(part.printableName())
                            .hasValue(WrittenStatsLayout.expected(updates, BatchBuilderConfig.DEFAULT_KEY_LOWER_MAX_BYTES));
                    parts++;
                }
            }
            assertThat(parts).isEqualTo(Integer.parseInt(facts.getProperty("blobParts")));

            ShardState after = appendUntilNextRollup(location, facts, shard, consensus, blob, before);
            // The diffs of this build change no batch but the ones their appends insert: the upgraded stats of the
            // others are the same in the state before and after each.
            for (VersionedData version : consensus.scan(shard.toString(), SeqNo.of(head + 1), 10_000)) {
                ProtoStateFieldDiffs diffs = ProtoStateDiff.parseFrom(StateIntegrity.open(shard, version.seqNo(),
                        version.data(), ProtoStateDiff.getDescriptor()).bytes()).getFieldDiffs();
                for (int i = 0; i < diffs.getFieldsCount(); i++) {
                    if (diffs.getFields(i) == ProtoStateField.LEGACY_BATCHES) {
                        assertThat(diffs.getDiffTypes(i)).as("%s", version.seqNo())
                                .isEqualTo(ProtoStateFieldDiffType.INSERT);
                    }
                }
            }
            assertThat(after.batches().subList(0, before.batches().size())).isEqualTo(before.batches());
            List<ProtoHollowBatchPart> rolledUp = blobParts(rollupBody(shard, blob, after));
            assertThat(rolledUp).hasSize(parts).allSatisfy(part ->
                    assertThat(WrittenStatsLayout.parse(part.getKeyStats())).get()
                            .satisfies(stats -> assertThat(stats.getColsMap()).containsOnlyKeys("k", "v", "t", "d")));
        }
    }

    /** Empty appends, one version each, until the state records a rollup newer than {@code before}'s. */
    private static ShardState appendUntilNextRollup(PersistLocation location, Properties facts, ShardId shard,
            Consensus consensus, Blob blob, ShardState before) {
        SeqNo newest = before.latestRollup().orElseThrow().getKey();
        try (PersistClient client = PersistClient.open(location, PersistConfig.builder()
                .readerLease(Duration.ofDays(3650)).writerLease(Duration.ofDays(3650)).build())) {
            WriteHandle writer = client.openWriter(shard, CODECS, WriterId.parse(facts.getProperty("writerId")));
            long upper = Long.parseLong(facts.getProperty("upper"));
            for (int i = 0; i < 2 * 128; i++) {
                assertThat(writer.compareAndAppend(List.of(), Frontier.of(upper), Frontier.of(upper + 1)))
                        .isInstanceOf(AppendResult.Committed.class);
                upper++;
                ShardState state = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
                if (state.latestRollup().orElseThrow().getKey().compareTo(newest) > 0) {
                    return state;
                }
            }
        }
        throw new AssertionError("no rollup was written after " + newest);
    }

    /** The newest rollup of {@code state} as stored, without its integrity header if it has one. */
    private static ProtoRollup rollupBody(ShardId shard, Blob blob, ShardState state) throws IOException {
        var rollup = state.latestRollup().orElseThrow();
        byte[] bytes = blob.get(rollup.getValue().key().complete(shard)).orElseThrow();
        return ProtoRollup.parseFrom(StateIntegrity.open(shard, rollup.getKey(), bytes, ProtoRollup.getDescriptor()).bytes());
    }

    private static List<ProtoHollowBatchPart> blobParts(ProtoRollup rollup) {
        List<ProtoHollowBatchPart> parts = new ArrayList<>();
        for (ProtoHollowBatch batch : rollup.getTrace().getLegacyBatchesList()) {
            for (ProtoHollowBatchPart part : batch.getPartsList()) {
                if (part.getKindCase() == ProtoHollowBatchPart.KindCase.KEY) {
                    assertThat(part.hasKeyStats()).as(part.getKey()).isTrue();
                    parts.add(part);
                }
            }
        }
        return parts;
    }

    private Properties copyFixture() throws IOException, URISyntaxException {
        Path fixture = Paths.get(Objects.requireNonNull(getClass().getResource(FIXTURE + "/shard/consensus.db")).toURI())
                .getParent();
        FileTrees.copy(fixture, dir);
        Properties facts = new Properties();
        try (InputStream in = getClass().getResourceAsStream(FIXTURE + "/fixture.properties")) {
            facts.load(in);
        }
        return facts;
    }
}
