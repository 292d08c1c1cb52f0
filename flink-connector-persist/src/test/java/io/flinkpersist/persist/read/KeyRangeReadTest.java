package io.flinkpersist.persist.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reading a shard by key ranges, as parallel readers do, gives exactly what reading it whole gives. */
class KeyRangeReadTest {
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final String name = "ranges-" + UUID.randomUUID();
    private final ShardId shard = ShardId.random();
    private long upper;

    private PersistClient open() {
        return PersistClient.open(PersistLocation.parse("mem://" + name, "mem://" + name), PersistConfig.builder()
                .compaction(CompactionSettings.defaults().withHistoryRetention(Duration.ZERO))
                .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(256).inlineWritesSingleMaxBytes(0).build())
                .build());
    }

    /** One commit at time {@code upper} of {@code keys} keys, each inserting a value for the commit and retracting the last. */
    private void commit(WriteHandle writer, int keys) {
        BatchBuilder builder = writer.builder(Frontier.of(upper));
        for (int k = 0; k < keys; k++) {
            String key = String.format("key-%04d", k * 7919 % keys);
            if (upper > 0) {
                builder.add(bytes(key), bytes("v" + (upper - 1)), upper, -1);
            }
            builder.add(bytes(key), bytes("v" + upper), upper, 1);
        }
        AppendResult result = writer.compareAndAppend(List.of(builder.finish(Frontier.of(upper + 1))),
                Frontier.of(upper), Frontier.of(upper + 1));
        assertThat(result).isInstanceOf(AppendResult.Committed.class);
        upper++;
    }

    @Test
    void snapshotsAndListensOfKeyRangesTogetherEqualTheWholeShard() {
        try (PersistClient client = open(); WriteHandle writer = client.openWriter(shard, CODECS)) {
            for (int c = 0; c < 6; c++) {
                commit(writer, 300);
            }
            client.openMaintenance(shard, CODECS).compact(20);
            long asOf = upper - 1;
            for (int c = 0; c < 3; c++) {
                commit(writer, 300);
            }
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                List<KeyRange> ranges = reader.planKeyRanges(4);
                assertThat(ranges).as("ranges planned from the parts' key lowers").hasSizeBetween(2, 4);
                assertThat(ranges.get(0).lower()).isEmpty();
                assertThat(ranges.get(ranges.size() - 1).upper()).isNull();
                for (int i = 1; i < ranges.size(); i++) {
                    assertThat(ranges.get(i).lower()).isEqualTo(ranges.get(i - 1).upper());
                }

                List<String> whole = drain(reader.snapshot(asOf, WAIT), KeyRange.ALL);
                List<String> byRange = new ArrayList<>();
                for (KeyRange range : ranges) {
                    byRange.addAll(drain(reader.snapshot(asOf, WAIT, range), range));
                }
                assertThat(whole).hasSize(300);
                assertThat(byRange).as("the ranges' snapshots in range order").containsExactlyElementsOf(whole);

                List<String> changes = listen(reader.listen(asOf), KeyRange.ALL);
                List<String> rangeChanges = new ArrayList<>();
                for (KeyRange range : ranges) {
                    rangeChanges.addAll(listen(reader.listen(asOf, asOf, range), range));
                }
                assertThat(changes).hasSize(3 * 600);
                assertThat(rangeChanges).containsExactlyInAnyOrderElementsOf(changes);
            }
        }
    }

    @Test
    void aListenResumingAStepReadsExactlyTheTimesOfThatStep() {
        try (PersistClient client = open(); WriteHandle writer = client.openWriter(shard, CODECS)) {
            for (int c = 0; c < 6; c++) {
                commit(writer, 20);
            }
            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                Listen listen = reader.listen(0, 2, KeyRange.ALL);
                ListenBatch step = listen.next(WAIT, 4);
                assertThat(step.progress()).isEqualTo(Frontier.of(3));
                List<String> read = drainListen(step.updates());
                assertThat(read).hasSize(40).allMatch(u -> u.endsWith("@2"));
                assertThat(drainListen(listen.next(WAIT, 4).updates())).hasSize(40).allMatch(u -> u.endsWith("@3"));
                // Merged with later batches, the step from 4 to 5 still ends at 5.
                client.openMaintenance(shard, CODECS).compact(20);
                ListenBatch resumed = reader.listen(0, 4, KeyRange.ALL).next(WAIT, 5);
                assertThat(resumed.progress()).isEqualTo(Frontier.of(5));
                assertThat(drainListen(resumed.updates())).hasSize(40).allMatch(u -> u.endsWith("@4"));
            }
        }
    }

    private static List<String> listen(Listen listen, KeyRange range) {
        List<String> changes = new ArrayList<>();
        while (true) {
            ListenBatch step;
            try {
                step = listen.next(Duration.ofMillis(50));
            } catch (UpperTimeoutException e) {
                return changes;
            }
            changes.addAll(drain(step.updates(), range));
        }
    }

    private static List<String> drain(Consolidator updates, KeyRange range) {
        List<String> read = new ArrayList<>();
        while (updates.next()) {
            assertThat(range.contains(updates.key())).as("key in " + range).isTrue();
            read.add(string(updates.key()) + "=" + string(updates.value()) + "x" + updates.diff() + "@" + updates.time());
        }
        return read;
    }

    private static List<String> drainListen(Consolidator updates) {
        return drain(updates, KeyRange.ALL);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
