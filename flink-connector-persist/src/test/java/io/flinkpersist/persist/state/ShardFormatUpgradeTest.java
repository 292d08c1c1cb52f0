package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.testutils.FileTrees;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard written by commit 18ba5cf, the last build that stored the whole state in every consensus version
 * (SQLite and local files; see src/test/resources/upgrade/README.md), opened by this build: it reads exactly
 * what was written, remembers the writer's last append and the commit markers, and from its first transition
 * on writes diffs and rollups, after which the whole-state versions are truncated.
 */
class ShardFormatUpgradeTest {
    private static final String FIXTURE = "/upgrade/18ba5cf-core";
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");
    private static final int THRESHOLD = 16;

    @TempDir
    Path dir;

    private Properties facts;
    private ShardId shard;
    private PersistLocation location;

    @BeforeEach
    void copyFixture() throws IOException, URISyntaxException {
        Path fixture = Paths.get(Objects.requireNonNull(getClass().getResource(FIXTURE + "/shard/consensus.db")).toURI())
                .getParent();
        FileTrees.copy(fixture, dir);
        facts = new Properties();
        try (InputStream in = getClass().getResourceAsStream(FIXTURE + "/fixture.properties")) {
            facts.load(in);
        }
        shard = ShardId.parse(facts.getProperty("shardId"));
        location = PersistLocation.embedded(dir);
    }

    private PersistClient client() {
        return client(System.currentTimeMillis());
    }

    /** A client whose clock starts at {@code startMs} and follows the wall clock from there. */
    private PersistClient client(long startMs) {
        long offset = startMs - System.currentTimeMillis();
        return PersistClient.open(location, PersistConfig.builder()
                .clockMs(() -> System.currentTimeMillis() + offset)
                .rollupThreshold(THRESHOLD)
                .readerLease(Duration.ofDays(3650))
                .writerLease(Duration.ofDays(3650))
                .build());
    }

    @Test
    void theStateIsReadAsWrittenAndEveryLaterVersionIsADiff() throws Exception {
        long head = Long.parseLong(facts.getProperty("headSeqNo"));
        try (Blob blob = location.openBlob(java.util.Map.of(), RetryPolicy.NO_RETRIES);
                Consensus consensus = location.openConsensus()) {
            ShardState before = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
            assertThat(before.seqNo()).isEqualTo(SeqNo.of(head));
            assertThat(before.upper()).isEqualTo(Frontier.of(Long.parseLong(facts.getProperty("upper"))));
            assertThat(before.since()).isEqualTo(Frontier.of(Long.parseLong(facts.getProperty("since"))));
            assertThat(before.batches()).hasSize(Integer.parseInt(facts.getProperty("batches")));
            assertThat(before.rollups()).isEmpty();
            assertThat(before.writers()).containsOnlyKeys(WriterId.parse(facts.getProperty("writerId")));
            assertThat(before.commitMarkers()).containsOnlyKeys("fixture/run-a", "fixture/run-b");
            assertThat(before.commitMarkers().get("fixture/run-b").checkpointId()).isEqualTo(8);

            try (PersistClient client = client()) {
                // A reader's registration is the first transition: it rolls the old state up and writes a diff.
                try (ReadHandle reader = client.openReader(shard, CODECS)) {
                    assertThat(snapshot(reader, Long.parseLong(facts.getProperty("snapshotAt"))))
                            .isEqualTo(expected("expected-snapshot.txt"));
                    assertThat(snapshot(reader, Long.parseLong(facts.getProperty("earlierSnapshotAt"))))
                            .isEqualTo(expected("expected-snapshot-at-" + facts.getProperty("earlierSnapshotAt") + ".txt"));
                }
                ShardState migrated = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
                assertThat(migrated.rollups()).containsOnlyKeys(SeqNo.of(head));
                byte[] rollup = blob.get(migrated.rollups().get(SeqNo.of(head)).key().complete(shard)).orElseThrow();
                ShardState rolledUp = StateCodec.decode(shard, SeqNo.of(head), rollup);
                assertThat(rolledUp.batches()).isEqualTo(before.batches());
                assertThat(rolledUp.commitMarkers()).isEqualTo(before.commitMarkers());
                List<VersionedData> versions = consensus.scan(shard.toString(), SeqNo.MINIMUM, 10_000);
                for (VersionedData version : versions) {
                    boolean whole = StateCodec.isWholeState(shard, version.data());
                    assertThat(whole).as("version %s", version.seqNo()).isEqualTo(version.seqNo().value() <= head);
                    if (!whole) {
                        assertThat(ProtoStateDiff.parseFrom(version.data()).getSeqnoTo()).isEqualTo(version.seqNo().value());
                    }
                }

                // The writer's last append and both runs' markers are still recognised.
                WriteHandle writer = client.openWriter(shard, CODECS, WriterId.parse(facts.getProperty("writerId")));
                Frontier upper = writer.fetchRecentUpper();
                assertThat(writer.compareAndAppend(List.of(), Frontier.of(2190), Frontier.of(2200),
                        IdempotencyToken.parse(facts.getProperty("writerLastToken"))))
                        .isEqualTo(new AppendResult.AlreadyCommitted(Frontier.of(2200)));
                assertThat(writer.compareAndAppend(List.of(batch(writer, upper.element().orElseThrow(), "replayed")),
                        upper, Frontier.of(upper.element().orElseThrow() + 1), IdempotencyToken.random(),
                        new CommitMarker("fixture/run-b", 8))).isInstanceOf(AppendResult.AlreadyCommitted.class);

                // The fixture's reader holds version 222 for 3650 days: the whole-state versions stay while it lives.
                for (int i = 0; i < 2 * THRESHOLD; i++) {
                    writer.heartbeat();
                }
                assertThat(consensus.scan(shard.toString(), SeqNo.MINIMUM, 1).get(0).seqNo().value())
                        .isLessThanOrEqualTo(Long.parseLong(facts.getProperty("finalDowngradeSeqNo")));
            }

            // Years later its lease (and every other) has run out: appends go on, and once a rollup passes, the
            // whole-state versions are gone.
            long t = Long.parseLong(facts.getProperty("upper"));
            try (PersistClient client = client(System.currentTimeMillis() + Duration.ofDays(3651).toMillis())) {
                WriteHandle writer = client.openWriter(shard, CODECS);
                // A compacting sink registers the shard's history hold: a field the old build never wrote.
                client.openMaintenance(shard, CODECS).holdHistory();
                for (int i = 0; i < 3 * THRESHOLD; i++, t++) {
                    assertThat(writer.compareAndAppend(List.of(batch(writer, t, "after-upgrade-" + i)), Frontier.of(t),
                            Frontier.of(t + 1))).isInstanceOf(AppendResult.Committed.class);
                }
                assertThat(writer.stateMetrics().rollupsWritten()).isGreaterThanOrEqualTo(2);
                for (VersionedData version : consensus.scan(shard.toString(), SeqNo.MINIMUM, 10_000)) {
                    assertThat(StateCodec.isWholeState(shard, version.data())).as("version %s", version.seqNo()).isFalse();
                }
                ShardState after = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
                assertThat(after.readers()).isEmpty();
                assertThat(after.since()).isEqualTo(before.since());
                assertThat(after.criticalReaders()).containsOnlyKeys(ShardMaintenance.HISTORY_HOLD);
                assertThat(after.criticalReaders().get(ShardMaintenance.HISTORY_HOLD).since()).isEqualTo(before.since());
                // A new handle opens from the newest rollup and sees everything, old and new.
                try (PersistClient other = client(System.currentTimeMillis() + Duration.ofDays(3651).toMillis());
                        ReadHandle reader = other.openReader(shard, CODECS)) {
                    List<String> expected = new ArrayList<>(expected("expected-snapshot.txt").stream()
                            .map(line -> line.replace("\t2199\t", "\t" + (Long.parseLong(facts.getProperty("upper")) + 3L * THRESHOLD - 1) + "\t"))
                            .toList());
                    long end = t - 1;
                    for (int i = 0; i < 3 * THRESHOLD; i++) {
                        expected.add("k-after-upgrade-" + i + "\tv\t" + end + "\t1");
                    }
                    assertThat(snapshot(reader, end)).containsExactlyInAnyOrderElementsOf(expected);
                }
            }
        }
    }

    private static io.flinkpersist.persist.batch.Batch batch(WriteHandle writer, long time, String name) {
        BatchBuilder builder = writer.builder(Frontier.of(time));
        builder.add(("k-" + name).getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), time, 1);
        return builder.finish(Frontier.of(time + 1));
    }

    private static List<String> snapshot(ReadHandle reader, long asOf) {
        Consolidator updates = reader.snapshot(asOf, Duration.ofSeconds(10));
        List<String> lines = new ArrayList<>();
        while (updates.next()) {
            lines.add(new String(updates.key(), StandardCharsets.UTF_8) + "\t" + new String(updates.value(), StandardCharsets.UTF_8)
                    + "\t" + updates.time() + "\t" + updates.diff());
        }
        return lines.stream().sorted().toList();
    }

    private List<String> expected(String file) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(FIXTURE + "/" + file)) {
            return new String(Objects.requireNonNull(in, file).readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank()).sorted().toList();
        }
    }
}
