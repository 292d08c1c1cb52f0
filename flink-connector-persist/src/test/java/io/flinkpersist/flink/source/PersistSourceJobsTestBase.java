package io.flinkpersist.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.flink.testutils.CollectDeadline;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.Listen;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.flink.sink.testutils.LeftoverJobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sink job writes a shard and a source job reads it back, on a MiniCluster. Each subclass names the location and
 * registers its own MiniCluster.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class PersistSourceJobsTestBase {
    static final int SLOTS = 6;
    private static final int KEYS = 3_000;

    @TempDir
    Path dir;
    private JobID lastJob;

    static MiniClusterExtension miniCluster(InMemoryReporter metrics) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(metrics.addToConfiguration(new Configuration()))
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(SLOTS)
                .build());
    }

    @AfterEach
    void cancelJobsLeftRunning(@InjectMiniCluster MiniCluster cluster) throws Exception {
        LeftoverJobs.cancel(cluster);
    }

    protected abstract PersistSinkBuilder<KeyDiff> location(PersistSinkBuilder<KeyDiff> builder);

    /** The reporter of the subclass's MiniCluster, which keeps the metrics of finished jobs. */
    protected abstract InMemoryReporter metrics();

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

    private <T> List<T> readAll(PersistSource<T> source, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        List<T> read = new ArrayList<>();
        try (CloseableIterator<T> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "persist")
                .collectAsync()) {
            lastJob = env.executeAsync("read").getJobID();
            it.forEachRemaining(read::add);
        }
        return read;
    }

    /** The sum over the source's subtasks (and its enumerator) in the last read job of a counter or gauge. */
    private long metric(String name) {
        List<Metric> found = metrics().getMetricsByGroup().entrySet().stream()
                .filter(e -> lastJob.toString().equals(e.getKey().getAllVariables().get("<job_id>")))
                .filter(e -> String.valueOf(e.getKey().getAllVariables().get("<operator_name>")).contains("persist"))
                .map(e -> e.getValue().get(name))
                .filter(Objects::nonNull)
                .toList();
        assertThat(found).as("the source's metric " + name + " is registered").isNotEmpty();
        return found.stream()
                .mapToLong(m -> m instanceof Counter c ? c.getCount() : ((Number) ((Gauge<?>) m).getValue()).longValue())
                .sum();
    }

    @Test
    void aBoundedSnapshotReadsBackWhatASinkJobWroteInParallelKeyRanges() throws Exception {
        write(inserts(0, KEYS));

        PersistSource<String> source = source(PersistRecordDeserializer.keyOnly(new SimpleStringSchema())).build();
        List<String> read = readAll(source, 3);

        assertThat(read).hasSize(KEYS).containsExactlyInAnyOrderElementsOf(
                inserts(0, KEYS).stream().map(KeyDiff::key).toList());
        assertThat(metric("numBytesIn")).as("key and value bytes read").isEqualTo(KEYS * 9L);
        assertThat(metric("partsFetched")).as("parts fetched by the readers").isPositive();
        assertThat(metric("partBytesFetched")).isPositive();
        assertThat(metric("unassignedSplits")).as("every split assigned").isZero();
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

    /** A bounded snapshot as of a time the shard has not been committed to yet waits for it, and then reads it. */
    @Test
    void aSnapshotAsOfATimeNotYetCommittedWaitsForIt() throws Exception {
        List<KeyDiff> first = inserts(0, KEYS);
        write(first);
        long asOf = latestTime() + 1;
        CompletableFuture<List<KeyDiff>> reading = CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(source(new KeyDiffDeserializer()).snapshotAsOf(asOf).build(), 2);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(500);
        assertThat(reading).as("waiting for the shard to pass " + asOf).isNotDone();
        write(inserts(KEYS, KEYS + 10));

        assertThat(reading.get(60, TimeUnit.SECONDS)).as("what was committed up to the as-of time")
                .containsExactlyInAnyOrderElementsOf(first);
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
            CollectDeadline deadline = CollectDeadline.in(120);
            while (read.size() < first.size()) {
                read.add(deadline.next(it, () -> "snapshot updates read " + read.size()));
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
                read.add(deadline.next(it, () -> "updates read " + read.size()));
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

    /** Every update as a distinct row, {@code key@time}, with its diff: a change delivered twice sums to 2. */
    private static final class ChangeDeserializer implements PersistRecordDeserializer<KeyDiff> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(byte[] key, byte[] value, long time, long diff, Collector<KeyDiff> out) {
            out.collect(new KeyDiff(new String(key, StandardCharsets.UTF_8) + "@" + time, diff));
        }

        @Override
        public TypeInformation<KeyDiff> getProducedType() {
            return TypeInformation.of(KeyDiff.class);
        }
    }

    /**
     * Fails the subtask that maps the {@code after}-th change of the job, once, and takes a millisecond per element:
     * checkpoints complete in the middle of the snapshot and of the changes' steps, so restores resume within them.
     * Counted over all subtasks, since key ranges planned from a compacted shard's few large parts can leave one
     * reader with few changes. With {@code after} = {@code Long.MAX_VALUE}, it passes elements on at full speed.
     */
    private static final class FailOnce implements MapFunction<KeyDiff, KeyDiff> {
        private static final long serialVersionUID = 1L;
        private static final AtomicBoolean FAILED = new AtomicBoolean();
        private static final AtomicLong SEEN = new AtomicLong();
        private final long after;

        FailOnce(long after) {
            this.after = after;
        }

        @Override
        public KeyDiff map(KeyDiff value) throws InterruptedException {
            if (after == Long.MAX_VALUE) {
                return value;
            }
            Thread.sleep(1);
            long seen = SEEN.incrementAndGet();
            if (seen >= after && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + seen + " changes");
            }
            return value;
        }
    }

    /** source -> (fail once) -> copy sink: the copy shard holds each change the source delivered as a row of its own. */
    private void copyPipeline(StreamExecutionEnvironment env, long failAfter) {
        env.enableCheckpointing(100);
        env.fromSource(source(new ChangeDeserializer()).changelog().build(), WatermarkStrategy.noWatermarks(),
                        "persist").uid("persist-source")
                .map(new FailOnce(failAfter)).uid("fail-once")
                .sinkTo(location(PersistSink.<KeyDiff>builder()).shardName("source-copy").keyCodec("utf8")
                        .serializer(new KeyDiffSerializer()).build()).uid("copy-sink");
    }

    /** What the copy shard holds, consolidated: change row to diff. */
    private Map<String, Long> copied() {
        PersistSourceConfig config = location(PersistSource.<KeyDiff>builder()).shardName("source-copy")
                .keyCodec("utf8").deserializer(new KeyDiffDeserializer()).build().config();
        try (PersistClient client = config.openClient();
                ReadHandle reader = client.openReader(config.shardId(), config.codecs())) {
            long upper = reader.fetchRecentUpper().element().orElseThrow();
            Map<String, Long> rows = new TreeMap<>();
            if (upper == 0) {
                return rows;
            }
            try (Consolidator updates = reader.snapshot(upper - 1, Duration.ofSeconds(10))) {
                while (updates.next()) {
                    rows.merge(new String(updates.key(), StandardCharsets.UTF_8), updates.diff(), Long::sum);
                }
            }
            return rows;
        }
    }

    /**
     * The snapshot of the read shard as of {@code asOf}, then every change after it: key@time to diff, read by
     * {@code reader}, which has held the shard's since at or below {@code asOf} since before the source started.
     */
    private static Map<String, Long> changesFrom(ReadHandle reader, long asOf) {
        Map<String, Long> rows = new TreeMap<>();
        try (Consolidator updates = reader.snapshot(asOf, Duration.ofSeconds(10))) {
            while (updates.next()) {
                rows.merge(new String(updates.key(), StandardCharsets.UTF_8) + "@" + asOf, updates.diff(), Long::sum);
            }
        }
        Listen listen = reader.listen(asOf);
        long upper = reader.fetchRecentUpper().element().orElseThrow();
        while (listen.frontier().lessThan(Frontier.of(upper))) {
            try (Consolidator updates = listen.next(Duration.ofSeconds(10)).updates()) {
                while (updates.next()) {
                    rows.merge(new String(updates.key(), StandardCharsets.UTF_8) + "@" + updates.time(),
                            updates.diff(), Long::sum);
                }
            }
        }
        return rows;
    }

    /**
     * A changelog job copying every change it reads into another shard, with a task failure, then stopped with a
     * savepoint and restored at another parallelism while the read shard is written: the copy holds each change of
     * the read shard after the as-of time exactly once, and the snapshot rows once.
     */
    @Test
    void aChangelogStoppedWithASavepointAndRestoredAtAnotherParallelismDeliversEveryChangeOnce() throws Exception {
        FailOnce.FAILED.set(false);
        FailOnce.SEEN.set(0);
        write(inserts(0, KEYS));
        long asOf = latestTime();
        PersistSourceConfig config = source(new KeyDiffDeserializer()).build().config();
        try (PersistClient client = config.openClient();
                ReadHandle verifier = client.openReader(config.shardId(), config.codecs())) {
            copyFromSavepointAtAnotherParallelism(verifier, asOf);
        }
    }

    private void copyFromSavepointAtAnotherParallelism(ReadHandle verifier, long asOf) throws Exception {
        StreamExecutionEnvironment first = StreamExecutionEnvironment.getExecutionEnvironment();
        first.setParallelism(2);
        // In the middle of its snapshot: the restored reader resumes it after the last key it emitted.
        copyPipeline(first, KEYS / 6);
        JobClient job = first.executeAsync("changelog copy");
        while (!FailOnce.FAILED.get()) {
            Thread.sleep(20);
        }
        write(retractions(0, KEYS / 2));
        String savepoint = stopWithSavepoint(job);
        write(inserts(KEYS, KEYS + 500));

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        second.setParallelism(3);
        copyPipeline(second, Long.MAX_VALUE);
        JobClient restored = second.executeAsync("changelog copy, restored");
        write(retractions(KEYS, KEYS + 100));

        Map<String, Long> expected = changesFrom(verifier, asOf);
        assertThat(expected).hasSize(KEYS + KEYS / 2 + 500 + 100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<String, Long> copied = copied();
        while (!copied.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            copied = copied();
        }
        restored.cancel().get(30, TimeUnit.SECONDS);
        assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();
        assertThat(copied).as("each change once: a duplicate sums to 2, a lost one is missing").isEqualTo(expected);
    }

    /** Stops the job with a savepoint once it runs again after the injected failure (a restarting job cannot). */
    private String stopWithSavepoint(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * With progress watermarks, a changelog read at parallelism 3 (in one key range: two readers idle, or in
     * several) moves event time through every commit: a timer at each change's time fires, and no change arrives at
     * or below the watermark. Without the idle readers marked idle, or with a watermark ahead of a key range still
     * being read, timers would not fire or changes would be late.
     */
    @ParameterizedTest(name = "key ranges: {0}")
    @ValueSource(ints = {0, 1})
    void progressWatermarksFollowTheCommitsAndNoChangeIsLate(int keyRanges) throws Exception {
        List<KeyDiff> first = inserts(0, KEYS);
        write(first);
        List<KeyDiff> second = new ArrayList<>(retractions(0, KEYS / 2));
        second.addAll(inserts(KEYS, KEYS + 500));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(3);
        env.enableCheckpointing(200);
        PersistSource<KeyDiff> source = source(new ChangeDeserializer()).changelog().keyRanges(keyRanges)
                .progressWatermarks(true).build();
        Set<String> changes = new HashSet<>();
        Set<String> fired = new HashSet<>();
        List<String> late = new ArrayList<>();
        try (CloseableIterator<String> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "persist")
                .keyBy(KeyDiff::key)
                .process(new EventTimeProbe())
                .executeAndCollect("changelog with watermarks")) {
            CompletableFuture<Void> writing = null;
            CollectDeadline deadline = CollectDeadline.in(60);
            while (changes.size() < first.size() + second.size() || fired.size() < changes.size()) {
                String line = deadline.next(it, () -> "changes read " + changes.size() + ", timers fired "
                        + fired.size());
                String[] kind = line.split(" ", 2);
                switch (kind[0]) {
                    case "change" -> changes.add(kind[1]);
                    case "fired" -> fired.add(kind[1]);
                    default -> late.add(kind[1]);
                }
                if (writing == null && fired.size() == first.size()) {
                    // The snapshot's time has passed on every reader: now commit more while the job runs.
                    writing = CompletableFuture.runAsync(() -> {
                        try {
                            write(second);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                }
            }
            writing.get(60, TimeUnit.SECONDS);
        }
        assertThat(late).as("changes at or below the watermark when they arrived").isEmpty();
        assertThat(fired).as("a timer at every change's time fired").isEqualTo(changes);
        assertThat(changes).hasSize(first.size() + second.size());
    }

    /**
     * Per change, "change key@time" and a timer at its time, which emits "fired key@time"; a change whose time is not
     * above the current watermark is "late key@time".
     */
    private static final class EventTimeProbe extends KeyedProcessFunction<String, KeyDiff, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(KeyDiff change, Context ctx, Collector<String> out) {
            String at = change.key();
            out.collect((ctx.timestamp() > ctx.timerService().currentWatermark() ? "change " : "late ") + at);
            ctx.timerService().registerEventTimeTimer(ctx.timestamp());
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect("fired " + ctx.getCurrentKey());
        }
    }

    @Test
    void anEmptyShardReadsAsAnEmptySnapshot() throws Exception {
        List<KeyDiff> read = readAll(source(new KeyDiffDeserializer()).build(), 2);
        assertThat(read).isEmpty();
    }
}
