package io.flinkpersist.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.sink.committer.SinkMarkers;
import io.flinkpersist.persist.state.CommitMarkerState;
import io.flinkpersist.persist.testutils.FileTrees;
import io.flinkpersist.persist.testutils.SqliteFixtureFiles;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.RelativeFileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Writes the upgrade fixtures: a shard and a savepoint of one job, produced by the code of this commit, for a
 * later test to restore with changed checkpointed formats (committables, writer state, shard state markers).
 *
 * <p>Runs only when {@code persist.fixtures.out} names an output directory; each fixture goes to
 * {@code <out>/<fixture-name>/}:
 * <pre>
 *   shard/             the embedded location: shard/blob/... and shard/consensus.db (no -wal or -shm file)
 *   savepoint/         the job's CANONICAL savepoint (relocatable: moved here from savepoint-parent/)
 *   fixture.properties what produced it and what the shard held after the job ended
 * </pre>
 * Fixtures: {@code stopped} (stop-with-savepoint: the savepoint's committable is committed by the job) and
 * {@code intermediate} (one manual checkpoint, committed; then an intermediate savepoint and a cancel: the
 * savepoint's committable is in the savepoint only, never committed). Each fixture is then verified on this code:
 * a copy is restored while the original is moved away, and the restored job leaves every record once.
 *
 * <pre>
 * mvn -B -q -pl flink-connector-persist -am test -Dtest=UpgradeFixtureGenerator \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dpersist.fixtures.out=/abs/out
 * </pre>
 *
 * <p>The job the restoring test must rebuild, identically (uids, parallelism 2, sink options):
 * {@link #pipeline}.
 *
 * <p>The fixtures in {@code src/test/resources/upgrade/5484c5d/} were written by this class at commit 5484c5d
 * (whose markers were named by the job id), and {@code UpgradeFromMainSavepointITCase} restores them. Run on
 * today's code it writes fixtures of today's formats, for the test of the next format change.
 */
@EnabledIfSystemProperty(named = UpgradeFixtureGenerator.OUT, matches = ".+")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UpgradeFixtureGenerator {
    static final String OUT = "persist.fixtures.out";
    static final int RECORDS = 10_000;
    static final int PARALLELISM = 2;
    static final String SHARD_NAME = "upgrade";
    private static final String THIS_FILE =
            "flink-connector-persist/src/test/java/io/flinkpersist/flink/sink/UpgradeFixtureGenerator.java";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    /** Stop-with-savepoint mid-way: the savepoint's committable is committed by the job that took it. */
    @Test
    void stopped(@InjectClusterClient ClusterClient<?> cluster) throws Exception {
        Path fixture = freshFixtureDir("stopped");
        PersistSink<String> sink = sink(fixture.resolve("shard"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(100);
        pipeline(env, sink);
        SlowDown.PROCESSED.set(0);
        JobClient job = env.executeAsync("upgrade fixture: stopped");
        while (ShardContents.read(sink.config()).diffsByValue().isEmpty()) {
            Thread.sleep(100);
        }
        String savepoint = job.stopWithSavepoint(false, fixture.resolve("savepoint-parent").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        long processedAtStop = SlowDown.PROCESSED.get();
        job.getJobExecutionResult().get();
        assertThat(awaitTerminal(cluster, job.getJobID())).isEqualTo(JobStatus.FINISHED);

        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("kind", "stop-with-savepoint (drain=false), checkpointing every 100 ms");
        extra.put("processedAtStop", Long.toString(processedAtStop));
        Map<String, String> props = finish(fixture, sink, job.getJobID(), savepoint, extra);

        long savepointId = Long.parseLong(props.get("savepointCheckpointId"));
        // The synchronous savepoint was committed by this job.
        assertThat(marker(props, runMarker(props))).isEqualTo(savepointId);
        long committed = Long.parseLong(props.get("committedAtSavepoint"));
        assertThat(committed).isBetween(1L, (long) RECORDS * 9 / 10);

        verify(fixture);
    }

    /**
     * One manual checkpoint (committed), half a second more, an intermediate savepoint and a cancel right away:
     * Flink does not notify an intermediate savepoint's completion, and no checkpoint follows it, so the savepoint
     * holds a committable the shard never saw.
     */
    @Test
    void intermediate(@InjectClusterClient ClusterClient<?> cluster) throws Exception {
        Path fixture = freshFixtureDir("intermediate");
        PersistSink<String> sink = sink(fixture.resolve("shard"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // No periodic checkpoint: the first one would come after at least the min pause (30 min) anyway.
        env.enableCheckpointing(TimeUnit.HOURS.toMillis(1));
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(TimeUnit.MINUTES.toMillis(30));
        pipeline(env, sink);
        SlowDown.PROCESSED.set(0);
        JobClient job = env.executeAsync("upgrade fixture: intermediate");
        JobID jobId = job.getJobID();
        while (SlowDown.PROCESSED.get() < 1_000) {
            Thread.sleep(10);
        }
        long checkpointId = cluster.triggerCheckpoint(jobId, CheckpointType.CONFIGURED).get();
        long processedAtCheckpoint = SlowDown.PROCESSED.get();
        while (ShardContents.read(sink.config()).diffsByValue().isEmpty()) {
            Thread.sleep(50);
        }
        ShardContents atCheckpoint = ShardContents.read(sink.config());
        Thread.sleep(500);
        String savepoint = cluster.triggerSavepoint(jobId, fixture.resolve("savepoint-parent").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        long processedAtSavepoint = SlowDown.PROCESSED.get();
        job.cancel().get();
        long processedAtCancel = SlowDown.PROCESSED.get();
        assertThat(awaitTerminal(cluster, jobId)).isEqualTo(JobStatus.CANCELED);
        assertThat(processedAtCancel).isLessThan(RECORDS);

        ShardContents afterCancel = ShardContents.read(sink.config());
        // Nothing was committed after the manual checkpoint: not the savepoint's committable, nothing else.
        assertThat(afterCancel).isEqualTo(atCheckpoint);
        assertThat(afterCancel.appends()).isEqualTo(1);

        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("kind", "manual checkpoint (committed), then intermediate savepoint (not committed), then cancel;"
                + " checkpoint interval 1 h, min pause 30 min");
        extra.put("manualCheckpointId", Long.toString(checkpointId));
        extra.put("processedAtManualCheckpoint", Long.toString(processedAtCheckpoint));
        extra.put("processedAtSavepointCompletion", Long.toString(processedAtSavepoint));
        extra.put("processedAtCancel", Long.toString(processedAtCancel));
        Map<String, String> props = finish(fixture, sink, jobId, savepoint, extra);

        long savepointId = Long.parseLong(props.get("savepointCheckpointId"));
        assertThat(savepointId).isGreaterThan(checkpointId);
        assertThat(marker(props, runMarker(props))).isEqualTo(checkpointId);
        // The aggregator recorded the savepoint in the shard before acknowledging it (a marker, no data).
        assertThat(marker(props, SinkMarkers.savepoints(sink.config().sinkId(), sink.config().instanceId())))
                .isEqualTo(savepointId);
        long committed = Long.parseLong(props.get("committedAtSavepoint"));
        assertThat(committed).isBetween(1L, (long) RECORDS - 1);

        verify(fixture);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The job

    /** The sink of both fixtures, on the embedded location {@code shardDir}; sinkId is the default. */
    static PersistSink<String> sink(Path shardDir) {
        return PersistSink.<String>builder()
                .embedded(shardDir)
                .shardName(SHARD_NAME)
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .partTargetSizeBytes(2048)
                .inlineThresholdBytes(0)
                .build();
    }

    /** The job graph of both fixtures; a restoring test must build exactly this (the uids map the state). */
    static void pipeline(StreamExecutionEnvironment env, PersistSink<String> sink) {
        env.setParallelism(PARALLELISM);
        env.fromSequence(0, RECORDS - 1).uid("numbers")
                .map(new SlowDown()).uid("slow-down")
                .sinkTo(sink).uid("persist-sink").name("Persist sink");
    }

    /** Stateless: "r" + n, sleeping 1 ms for every record. Counts what it saw only so the generator can watch. */
    private static final class SlowDown extends RichMapFunction<Long, String> {
        static final AtomicLong PROCESSED = new AtomicLong();

        @Override
        public String map(Long n) throws InterruptedException {
            Thread.sleep(1);
            PROCESSED.incrementAndGet();
            return "r" + n;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // After the job: a self-contained fixture directory

    /**
     * Makes the fixture self-contained (consensus.db checkpointed, no -wal/-shm; savepoint moved to
     * {@code savepoint/}) and writes fixture.properties; returns what it wrote.
     */
    private static Map<String, String> finish(Path fixture, PersistSink<String> sink, JobID jobId,
            String savepointPointer, Map<String, String> extra) throws Exception {
        PersistSinkConfig config = sink.config();
        ShardContents contents = ShardContents.read(config);
        ShardParts parts = ShardParts.read(config);

        Path savepointDir = localPath(savepointPointer);
        Path parent = fixture.resolve("savepoint-parent");
        assertThat(savepointDir.getParent()).isEqualTo(parent);
        String savepointDirName = savepointDir.getFileName().toString();
        Path savepoint = fixture.resolve("savepoint");
        Files.move(savepointDir, savepoint);
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left).isEmpty();
        }
        Files.delete(parent);
        CheckpointMetadata metadata = loadMetadata(savepoint);
        String stateHandles = checkRelocatable(metadata);

        SqliteFixtureFiles.seal(fixture.resolve("shard").resolve("consensus.db"), false);

        Map<String, String> props = new LinkedHashMap<>();
        props.put("generatedBy", git("log", "-1", "--format=%H", "--", ".", ":(exclude)" + THIS_FILE));
        props.put("generatorCommit", git("rev-parse", "HEAD"));
        props.put("codeChangesSinceGeneratedBy",
                git("status", "--porcelain", "--", ".", ":(exclude)" + THIS_FILE).isEmpty() ? "none" : "DIRTY");
        props.put("generator", THIS_FILE);
        props.put("flinkVersion", EnvironmentInformation.getVersion());
        props.put("javaVersion", System.getProperty("java.version"));
        props.put("jobId", jobId.toString());
        props.put("sinkId", config.sinkId());
        props.put("shardName", SHARD_NAME);
        props.put("shardId", config.shardId().toString());
        props.put("records", Integer.toString(RECORDS));
        props.put("parallelism", Integer.toString(PARALLELISM));
        props.put("uids", "numbers, slow-down, persist-sink");
        props.put("sinkOptions", "embedded(<fixture>/shard), shardName=" + SHARD_NAME
                + ", valueCodec=utf8, valueOnly(SimpleStringSchema), partTargetSizeBytes=2048,"
                + " inlineThresholdBytes=0");
        props.putAll(extra);
        props.put("committedAtSavepoint", Integer.toString(contents.diffsByValue().size()));
        props.put("committedDiffSum", Long.toString(contents.diffsByValue().values().stream()
                .mapToLong(Long::longValue).sum()));
        props.put("appends", Integer.toString(contents.appends()));
        props.put("savepointCheckpointId", Long.toString(metadata.getCheckpointId()));
        props.put("savepointOriginalDirName", savepointDirName);
        props.put("savepointFormat", "CANONICAL");
        props.put("savepointStateHandles", stateHandles);
        props.put("stateBackend", "default (hashmap), default checkpoint storage");
        props.put("shardSeqNo", Long.toString(parts.state().seqNo().value()));
        props.put("shardUpper", parts.state().upper().toString());
        props.put("shardBatches", Integer.toString(parts.state().batches().size()));
        props.put("blobParts", Integer.toString(parts.inBlob().size()));
        props.put("blobPartsReferenced", Integer.toString(parts.referenced().size()));
        props.put("blobPartsUnreferenced", Integer.toString(parts.unreferenced().size()));
        SortedMap<String, CommitMarkerState> markers = parts.state().commitMarkers();
        props.put("commitMarkers", markers.entrySet().stream()
                .map(e -> e.getKey() + " -> " + e.getValue().checkpointId()).collect(Collectors.joining("; ")));
        props.put("commitMarkers.count", Integer.toString(markers.size()));
        int i = 0;
        for (Map.Entry<String, CommitMarkerState> marker : markers.entrySet()) {
            props.put("commitMarkers." + i + ".name", marker.getKey());
            props.put("commitMarkers." + i + ".checkpointId", Long.toString(marker.getValue().checkpointId()));
            i++;
        }
        // ShardParts/ShardContents above reopened consensus.db; checkpoint once more after the last reader closed.
        SqliteFixtureFiles.seal(fixture.resolve("shard").resolve("consensus.db"), false);
        writeProperties(fixture.resolve("fixture.properties"), props);
        return props;
    }


    private static CheckpointMetadata loadMetadata(Path savepoint) throws IOException {
        try (InputStream file = Files.newInputStream(savepoint.resolve("_metadata"));
                DataInputStream in = new DataInputStream(file)) {
            return Checkpoints.loadCheckpointMetadata(in, UpgradeFixtureGenerator.class.getClassLoader(),
                    savepoint.toUri().toString());
        }
    }

    /**
     * Every state handle of the savepoint must be inline in _metadata or a file relative to it, never an absolute
     * file (the restore from a copy, with the original moved away, proves it too). Inline handles keep the name of
     * the file they would have been ({@code file:/.../savepoint-parent/...}); that name is never opened. Returns a
     * summary for fixture.properties.
     */
    private static String checkRelocatable(CheckpointMetadata metadata) {
        int inline = 0;
        int relative = 0;
        List<StreamStateHandle> handles = new ArrayList<>();
        for (OperatorState operator : metadata.getOperatorStates()) {
            if (operator.getCoordinatorState() != null) {
                handles.add(operator.getCoordinatorState());
            }
            for (OperatorSubtaskState subtask : operator.getStates()) {
                assertThat(subtask.getManagedKeyedState()).isEmpty();
                assertThat(subtask.getRawKeyedState()).isEmpty();
                assertThat(subtask.getInputChannelState()).isEmpty();
                assertThat(subtask.getResultSubpartitionState()).isEmpty();
                for (OperatorStateHandle handle : subtask.getManagedOperatorState()) {
                    handles.add(handle.getDelegateStateHandle());
                }
                for (OperatorStateHandle handle : subtask.getRawOperatorState()) {
                    handles.add(handle.getDelegateStateHandle());
                }
            }
        }
        for (StreamStateHandle handle : handles) {
            if (handle instanceof RelativeFileStateHandle) {
                relative++;
            } else {
                assertThat(handle).isInstanceOf(ByteStreamStateHandle.class);
                inline++;
            }
        }
        return inline + " inline in _metadata, " + relative + " relative files";
    }

    private static void writeProperties(Path file, Map<String, String> props) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("# Upgrade fixture written by ").append(UpgradeFixtureGenerator.class.getName())
                .append(" (").append(THIS_FILE).append(")\n");
        for (Map.Entry<String, String> entry : props.entrySet()) {
            assertThat(entry.getKey()).doesNotContain(" ", "=", ":", "\\");
            assertThat(entry.getValue()).doesNotContain("\\", "\n");
            text.append(entry.getKey()).append('=').append(entry.getValue()).append('\n');
        }
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        // What a reader gets back through java.util.Properties is what was meant.
        Properties loaded = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            loaded.load(in);
        }
        for (Map.Entry<String, String> entry : props.entrySet()) {
            assertThat(loaded.getProperty(entry.getKey())).isEqualTo(entry.getValue());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Verification on this code: restore a copy while the original is moved away

    /**
     * Copies the fixture, moves the original away (so nothing can still point at it), restores the same job from
     * the copy's savepoint into the copy's shard, runs it to the end and checks every record is there once.
     */
    private static void verify(Path fixture) throws Exception {
        Path away = fixture.resolveSibling(fixture.getFileName() + ".moved-away-while-verifying");
        Path copy = Files.createTempDirectory("upgrade-fixture-verify-").resolve(fixture.getFileName().toString());
        Map<String, String> before = FileTrees.fingerprint(fixture);
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(fixture.resolve("fixture.properties"))) {
            props.load(in);
        }
        Files.move(fixture, away);
        try {
            FileTrees.copy(away, copy);
            PersistSink<String> sink = sink(copy.resolve("shard"));
            assertThat(sink.config().sinkId()).isEqualTo(props.getProperty("sinkId"));
            assertThat(sink.config().shardId().toString()).isEqualTo(props.getProperty("shardId"));
            assertThat(ShardContents.read(sink.config()).diffsByValue())
                    .hasSize(Integer.parseInt(props.getProperty("committedAtSavepoint")));

            Configuration conf = new Configuration();
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, copy.resolve("savepoint").toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.enableCheckpointing(100);
            pipeline(env, sink);
            env.execute("upgrade fixture: verify " + fixture.getFileName());

            assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
            // Every part the fixture holds is now referenced: the unreferenced ones were the savepoint's batch.
            assertThat(ShardParts.read(sink.config()).unreferenced()).isEmpty();
            // The savepoint's committable came back under the generating run's marker.
            Map<String, String> listed = new LinkedHashMap<>();
            props.stringPropertyNames().forEach(name -> listed.put(name, props.getProperty(name)));
            assertThat(ShardParts.read(sink.config()).state().commitMarkers().get(runMarker(listed)).checkpointId())
                    .isEqualTo(Long.parseLong(props.getProperty("savepointCheckpointId")));
        } finally {
            Files.move(away, fixture);
            FileTrees.delete(copy.getParent());
        }
        assertThat(FileTrees.fingerprint(fixture)).isEqualTo(before);
    }

    private static Map<String, Long> expected() {
        return LongStream.range(0, RECORDS).mapToObj(n -> "r" + n)
                .collect(Collectors.toMap(Function.identity(), v -> 1L));
    }

    /** The one marker of the generating job's run (the other one records its savepoints). */
    private static String runMarker(Map<String, String> props) {
        int count = Integer.parseInt(props.get("commitMarkers.count"));
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = props.get("commitMarkers." + i + ".name");
            if (!name.endsWith("/savepoints")) {
                runs.add(name);
            }
        }
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    /** The checkpoint id of the commit marker {@code name} as fixture.properties lists it, or null. */
    private static Long marker(Map<String, String> props, String name) {
        int count = Integer.parseInt(props.get("commitMarkers.count"));
        for (int i = 0; i < count; i++) {
            if (props.get("commitMarkers." + i + ".name").equals(name)) {
                return Long.parseLong(props.get("commitMarkers." + i + ".checkpointId"));
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    private static Path freshFixtureDir(String name) throws IOException {
        Path out = Path.of(System.getProperty(OUT)).toAbsolutePath().normalize();
        Path fixture = out.resolve(name);
        if (Files.exists(fixture)) {
            FileTrees.delete(fixture);
        }
        Files.createDirectories(fixture);
        return fixture;
    }

    private static JobStatus awaitTerminal(ClusterClient<?> cluster, JobID job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            JobStatus status = cluster.getJobStatus(job).get();
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(50);
        }
    }

    private static Path localPath(String pointer) {
        return pointer.startsWith("file:") ? Path.of(URI.create(pointer)) : Path.of(pointer);
    }

    /** The work tree this code was built from (surefire runs in the module directory). */
    private static Path gitTopLevel() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("git", "rev-parse", "--show-toplevel").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor()).as("git rev-parse --show-toplevel: " + output).isZero();
        return Path.of(output);
    }

    private static String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(gitTopLevel().toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor()).as("git " + String.join(" ", args) + ": " + output).isZero();
        return output;
    }
}
