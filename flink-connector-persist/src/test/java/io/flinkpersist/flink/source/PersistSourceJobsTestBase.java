package io.flinkpersist.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.ReadHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink job writes a shard and a source job reads it back, on a MiniCluster. Each subclass names the location and
 * registers its own MiniCluster.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class PersistSourceJobsTestBase {
    static final int SLOTS = 4;
    private static final int KEYS = 3_000;

    @TempDir
    Path dir;

    static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(new Configuration())
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(SLOTS)
                .build());
    }

    @AfterEach
    void cancelJobsLeftRunning(@InjectMiniCluster MiniCluster cluster) throws Exception {
        for (JobStatusMessage job : cluster.listJobs().get()) {
            if (!job.getJobState().isGloballyTerminalState()) {
                cluster.cancelJob(job.getJobId()).get();
                cluster.requestJobResult(job.getJobId()).get(30, TimeUnit.SECONDS);
            }
        }
    }

    protected abstract PersistSinkBuilder<KeyDiff> location(PersistSinkBuilder<KeyDiff> builder);

    protected abstract <T> PersistSourceBuilder<T> location(PersistSourceBuilder<T> builder);

    /** An update a test writes and reads: a key (the record's bytes) and a diff. */
    record KeyDiff(String key, long diff) {
        @Override
        public String toString() {
            return key + (diff >= 0 ? "+" : "") + diff;
        }
    }

    private static final class KeyDiffSerializer implements PersistRecordSerializer<KeyDiff> {
        private static final long serialVersionUID = 1L;

        @Override
        public PersistRecord serialize(KeyDiff element) {
            return new PersistRecord(element.key().getBytes(StandardCharsets.UTF_8), new byte[0], element.diff());
        }
    }

    /** Every update as its key and diff, to see retractions. */
    private static final class KeyDiffDeserializer implements PersistRecordDeserializer<KeyDiff> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(byte[] key, byte[] value, long time, long diff, Collector<KeyDiff> out) {
            out.collect(new KeyDiff(new String(key, StandardCharsets.UTF_8), diff));
        }

        @Override
        public TypeInformation<KeyDiff> getProducedType() {
            return TypeInformation.of(KeyDiff.class);
        }
    }

    private PersistSink<KeyDiff> sink() {
        return location(PersistSink.<KeyDiff>builder())
                .shardName("source-test")
                .keyCodec("utf8")
                .serializer(new KeyDiffSerializer())
                // Small parts, none inline: the shard has many, so that the source plans several key ranges.
                .partTargetSizeBytes(4 * 1024)
                .inlineThresholdBytes(0)
                .build();
    }

    private <T> PersistSourceBuilder<T> source(PersistRecordDeserializer<T> deserializer) {
        return location(PersistSource.<T>builder())
                .shardName("source-test")
                .keyCodec("utf8")
                .deserializer(deserializer);
    }

    /** Writes {@code updates} with a bounded sink job, at parallelism 2 and a checkpoint every 100 ms. */
    private void write(List<KeyDiff> updates) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        env.fromData(updates).sinkTo(sink());
        env.execute("write");
    }

    private static List<KeyDiff> inserts(int from, int to) {
        return LongStream.range(from, to).mapToObj(k -> new KeyDiff(key(k), 1)).toList();
    }

    private static List<KeyDiff> retractions(int from, int to) {
        return LongStream.range(from, to).mapToObj(k -> new KeyDiff(key(k), -1)).toList();
    }

    private static String key(long k) {
        return String.format("key-%05d", k * 7_919 % 100_000);
    }

    private static Map<String, Long> sum(List<KeyDiff> updates) {
        Map<String, Long> sums = new TreeMap<>();
        updates.forEach(u -> sums.merge(u.key(), u.diff(), Long::sum));
        sums.values().removeIf(d -> d == 0);
        return sums;
    }

    private long latestTime() {
        PersistSourceConfig config = source(new KeyDiffDeserializer()).build().config();
        try (PersistClient client = config.openClient();
                ReadHandle reader = client.openReader(config.shardId(), config.codecs())) {
            return reader.fetchRecentUpper().element().orElseThrow() - 1;
        }
    }

    private static <T> List<T> readAll(PersistSource<T> source, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        List<T> read = new ArrayList<>();
        try (CloseableIterator<T> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "persist")
                .executeAndCollect("read")) {
            it.forEachRemaining(read::add);
        }
        return read;
    }

    @Test
    void aBoundedSnapshotReadsBackWhatASinkJobWroteInParallelKeyRanges() throws Exception {
        write(inserts(0, KEYS));

        PersistSource<String> source = source(PersistRecordDeserializer.keyOnly(new SimpleStringSchema())).build();
        List<String> read = readAll(source, 3);

        assertThat(read).hasSize(KEYS).containsExactlyInAnyOrderElementsOf(
                inserts(0, KEYS).stream().map(KeyDiff::key).toList());
        try (PersistClient client = source.config().openClient();
                ReadHandle reader = client.openReader(source.config().shardId(), source.config().codecs())) {
            assertThat(reader.planKeyRanges(12)).as("key ranges the readers split the shard into").hasSizeGreaterThan(3);
        }
    }

    @Test
    void aSnapshotAsOfAnEarlierCommitReturnsExactlyThatCommitsContents() throws Exception {
        List<KeyDiff> first = inserts(0, KEYS);
        write(first);
        long firstTime = latestTime();
        List<KeyDiff> second = new ArrayList<>(retractions(0, KEYS / 2));
        second.addAll(inserts(KEYS, KEYS + 500));
        write(second);

        List<KeyDiff> asOfFirst = readAll(source(new KeyDiffDeserializer()).snapshotAsOf(firstTime).build(), 2);
        List<KeyDiff> latest = readAll(source(new KeyDiffDeserializer()).snapshot().build(), 2);

        assertThat(asOfFirst).containsExactlyInAnyOrderElementsOf(first);
        List<KeyDiff> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(latest).as("consolidated: one update per key left, with diff 1")
                .allMatch(u -> u.diff() == 1)
                .extracting(KeyDiff::key).containsExactlyInAnyOrderElementsOf(sum(all).keySet());
    }

    /**
     * A changelog source started on a written shard reads its snapshot, then every change a later sink job commits
     * while it runs, each once, a key's changes in commit order.
     */
    @Test
    void aChangelogReadsTheSnapshotThenEveryLaterChangeOnceInOrder() throws Exception {
        List<KeyDiff> first = inserts(0, KEYS);
        write(first);
        List<KeyDiff> second = new ArrayList<>(retractions(0, KEYS / 2));
        second.addAll(inserts(KEYS, KEYS + 500));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200);
        List<KeyDiff> read = new ArrayList<>();
        try (CloseableIterator<KeyDiff> it = env.fromSource(source(new KeyDiffDeserializer()).changelog().build(),
                WatermarkStrategy.noWatermarks(), "persist").executeAndCollect("changelog")) {
            while (read.size() < first.size()) {
                read.add(it.next());
            }
            assertThat(read).as("the snapshot").containsExactlyInAnyOrderElementsOf(first);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    write(second);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            while (read.size() < first.size() + second.size()) {
                read.add(it.next());
            }
            writing.get(60, TimeUnit.SECONDS);
        }
        List<KeyDiff> changes = read.subList(first.size(), read.size());
        assertThat(changes).as("the later changes, each once").containsExactlyInAnyOrderElementsOf(second);
        Map<String, List<Long>> byKey = new HashMap<>();
        read.forEach(u -> byKey.computeIfAbsent(u.key(), k -> new ArrayList<>()).add(u.diff()));
        assertThat(byKey.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                .as("keys inserted, then retracted").hasSize(KEYS / 2)
                .allSatisfy((key, diffs) -> assertThat(diffs).containsExactly(1L, -1L));
    }

    @Test
    void anEmptyShardReadsAsAnEmptySnapshot() throws Exception {
        List<KeyDiff> read = readAll(source(new KeyDiffDeserializer()).build(), 2);
        assertThat(read).isEmpty();
    }
}
