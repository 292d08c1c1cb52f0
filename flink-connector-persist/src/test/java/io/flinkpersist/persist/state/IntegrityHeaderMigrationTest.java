package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.testutils.FileTrees;
import io.flinkpersist.persist.testutils.ForwardingBlob;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard written by commit 5ddbfd2, the last build whose consensus diffs and rollups carry no integrity header
 * (src/test/resources/upgrade/README.md), opened by this build: every value is accepted as written before headers
 * and passes the checks of a state; the shard reads exactly as it did; this build's values after them carry the
 * header; and those old diffs and rollups are still refused when cut at a field boundary.
 */
class IntegrityHeaderMigrationTest {
    private static final String FIXTURE = "/upgrade/5ddbfd2-state";
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");

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

    @Test
    void valuesWrittenBeforeHeadersOpenAsWrittenAndLaterOnesCarryOne() throws Exception {
        long head = Long.parseLong(facts.getProperty("headSeqNo"));
        long upper = Long.parseLong(facts.getProperty("upper"));
        try (Blob blob = location.openBlob(Map.of(), RetryPolicy.NO_RETRIES);
                Consensus consensus = location.openConsensus()) {
            List<VersionedData> old = consensus.scan(shard.toString(), SeqNo.MINIMUM, 10_000);
            assertThat(old).hasSize(Integer.parseInt(facts.getProperty("consensusRows")));
            for (VersionedData version : old) {
                assertThat(ProtoStateDiff.parseFrom(version.data()).hasIntegrity()).as("%s", version.seqNo()).isFalse();
            }
            ShardState before = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
            assertThat(before.seqNo()).isEqualTo(SeqNo.of(head));
            assertThat(before.upper()).isEqualTo(Frontier.of(upper));
            assertThat(before.since()).isEqualTo(Frontier.of(Long.parseLong(facts.getProperty("since"))));
            assertThat(before.batches()).hasSize(Integer.parseInt(facts.getProperty("batches")));
            assertThat(before.writers()).containsOnlyKeys(WriterId.parse(facts.getProperty("writerId")));
            assertThat(before.commitMarkers()).containsOnlyKeys("fixture/run-a", "fixture/run-b");
            assertThat(before.rollups()).hasSize(Integer.parseInt(facts.getProperty("rollups")));
            before.rollups().forEach((seqNo, rollup) -> {
                byte[] bytes = blob.get(rollup.key().complete(shard)).orElseThrow();
                assertThat(parseRollup(bytes).hasIntegrity()).isFalse();
                assertThat(StateCodec.decode(shard, seqNo, bytes).seqNo()).isEqualTo(seqNo);
            });

            // The diffs of the build before were refused cut at a field boundary: its walltime, written last, is lost.
            VersionedData last = old.get(old.size() - 1);
            for (int at : FieldBoundaries.of(last.data())) {
                byte[] cut = Arrays.copyOf(last.data(), at);
                assertThatThrownBy(() -> StateVersions.readLatest(shard, new VersionReplacedConsensus(consensus, last.seqNo(), cut), blob))
                        .isInstanceOfSatisfying(CorruptStateException.class,
                                e -> assertThat(e.seqNo()).isEqualTo(last.seqNo()));
            }

            // So was a rollup: a later version recorded its length, and the diffs after it must fit it. Without a header
            // the error names the version at which the damage shows, the rollup's or a later one.
            var newest = before.latestRollup().orElseThrow();
            assertThat(newest.getValue().encodedSizeBytes()).isPresent();
            byte[] rollup = blob.get(newest.getValue().key().complete(shard)).orElseThrow();
            String rollupKey = newest.getValue().key().complete(shard);
            List<String> refusals = new ArrayList<>();
            for (int at : FieldBoundaries.of(rollup)) {
                byte[] cut = Arrays.copyOf(rollup, at);
                Blob cutBlob = new ForwardingBlob(blob) {
                    @Override
                    public Optional<byte[]> get(String key) {
                        return key.equals(rollupKey) ? Optional.of(cut) : delegate.get(key);
                    }
                };
                assertThatThrownBy(() -> StateVersions.readLatest(shard, consensus, cutBlob))
                        .isInstanceOfSatisfying(CorruptStateException.class, e -> {
                            assertThat(e.shardId()).isEqualTo(shard);
                            assertThat(e.seqNo()).isBetween(newest.getKey(), SeqNo.of(head));
                            refusals.add(e.getMessage());
                        });
            }
            assertThat(refusals).anySatisfy(m -> assertThat(m).contains("bytes, but it was recorded with"));

            try (PersistClient client = PersistClient.open(location, PersistConfig.builder()
                    .readerLease(Duration.ofDays(3650)).writerLease(Duration.ofDays(3650)).build())) {
                try (ReadHandle reader = client.openReader(shard, CODECS)) {
                    assertThat(snapshot(reader, upper - 1)).isEqualTo(expected("expected-snapshot.txt"));
                }
                WriteHandle writer = client.openWriter(shard, CODECS, WriterId.parse(facts.getProperty("writerId")));
                assertThat(writer.compareAndAppend(List.of(), Frontier.of(upper - 10), Frontier.of(upper),
                        IdempotencyToken.parse(facts.getProperty("writerLastToken"))))
                        .isEqualTo(new AppendResult.AlreadyCommitted(Frontier.of(upper)));
                BatchBuilder builder = writer.builder(Frontier.of(upper));
                builder.add("k-new".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), upper, 1);
                assertThat(writer.compareAndAppend(List.of(builder.finish(Frontier.of(upper + 1))), Frontier.of(upper),
                        Frontier.of(upper + 1))).isInstanceOf(AppendResult.Committed.class);
            }
            List<VersionedData> after = consensus.scan(shard.toString(), SeqNo.of(head + 1), 10_000);
            assertThat(after).isNotEmpty();
            for (VersionedData version : after) {
                assertThat(ProtoStateDiff.parseFrom(version.data()).hasIntegrity()).as("%s", version.seqNo()).isTrue();
            }
            ShardState latest = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
            assertThat(latest.upper()).isEqualTo(Frontier.of(upper + 1));
            assertThat(latest.batches().subList(0, before.batches().size())).isEqualTo(before.batches());
        }
    }

    private static ProtoRollup parseRollup(byte[] bytes) {
        try {
            return ProtoRollup.parseFrom(bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }


    private static List<String> snapshot(ReadHandle reader, long asOf) {
        var updates = reader.snapshot(asOf, Duration.ofSeconds(10));
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
