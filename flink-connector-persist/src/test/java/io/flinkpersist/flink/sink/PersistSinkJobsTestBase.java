package io.flinkpersist.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flinkpersist.flink.sink.testutils.FailingUploads;
import io.flinkpersist.flink.sink.testutils.FailureInjectingSink;
import io.flinkpersist.flink.sink.testutils.FailurePoint;
import io.flinkpersist.flink.sink.testutils.InjectedFailures;
import io.flinkpersist.flink.sink.testutils.LeftoverJobs;
import io.flinkpersist.flink.sink.testutils.OwnMiniCluster;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateVersions;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.connector.testframe.source.FromElementsSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real jobs on a MiniCluster writing to a shard; the shard is read back. Each subclass names the location
 * and registers its own MiniCluster with an {@link InMemoryReporter}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class PersistSinkJobsTestBase {
    private static final int RECORDS = 10_000;
    private static final int PARALLELISM = 2;
    /** Slots the subclasses' MiniCluster must offer. */
    static final int MAX_PARALLELISM = 4;
    private static final int FAILURES = 5;
    private static final long LONG_JOB_COMMITS = 2_000;

    @TempDir
    Path dir;

    /**
     * Cancels the jobs a failed or timed-out test left on the shared MiniCluster: a job left running keeps its
     * slots, and every later test would wait for slots and fail for no fault of its own.
     */
    @AfterEach
    void cancelJobsLeftRunning(@InjectMiniCluster MiniCluster cluster) throws Exception {
        LeftoverJobs.cancel(cluster);
    }

    /** The Flink 2.3 pitfall: a bounded streaming job must commit its final checkpoint too. */
    @Test
    void boundedStreamingJobWithCheckpointsCommitsEveryRecordOnce() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        PersistSink<String> sink = sink("streaming");
        env.fromSequence(0, RECORDS - 1).map(new SlowDown(5)).sinkTo(sink).uid("persist-sink").name("Persist sink");
        JobID job = env.execute("bounded streaming").getJobID();

        ShardContents shard = ShardContents.read(sink.config());
        assertThat(shard.diffsByValue()).isEqualTo(expected());
        // Several checkpoints committed separately, not one commit at the end.
        assertThat(shard.appends()).isGreaterThan(1);
        assertThat(counted(job, "numRecordsSend")).isEqualTo(RECORDS);
        assertThat(counted(job, "committedRecords")).isEqualTo(RECORDS);
        assertThat(counted(job, "committedBytes")).isPositive();
        assertThat(counted(job, "commits")).isEqualTo(shard.appends());
        assertThat(counted(job, "alreadyCommitted")).isZero();
    }

    @Test
    void batchJobCommitsEveryRecordOnce() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        PersistSink<String> sink = sink("batch");
        env.fromSequence(0, RECORDS - 1).map(n -> "r" + n).sinkTo(sink).uid("persist-sink");
        env.execute("batch");

        ShardContents shard = ShardContents.read(sink.config());
        assertThat(shard.diffsByValue()).isEqualTo(expected());
        assertThat(shard.appends()).isEqualTo(1);
    }

    /** Five failures in one run, each after the restored job has made some progress. */
    @Test
    void repeatedFailuresAndRestartsStillLeaveEveryRecordOnce() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarting(FAILURES + 1));
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        PersistSink<String> sink = sink("failure");
        env.fromSequence(0, RECORDS - 1).map(new SlowDown(5)).map(new FailInTheFirstAttempts())
                .sinkTo(sink).uid("persist-sink");
        env.execute("failure");

        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
    }

    /**
     * A streaming job of dozens of commits, its tasks failing five times (the committer's compaction is
     * interrupted mid-merge when they do): every record lands once, and the committer's compaction keeps the shard's
     * batches and the runs a snapshot merges logarithmic in its commits.
     */
    @Test
    void compactionKeepsALongJobsShardSmallThroughTaskFailures() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarting(FAILURES + 1));
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(10);
        PersistSink<String> sink = smallPartsSink("compaction", Map.of());
        env.fromSequence(0, RECORDS - 1).map(new SlowDown(1)).map(new FailInTheFirstAttempts())
                .sinkTo(sink).uid("persist-sink");
        JobID job = env.execute("compaction").getJobID();

        ShardContents shard = ShardContents.read(sink.config());
        assertThat(shard.diffsByValue()).isEqualTo(expected());
        ShardParts parts = ShardParts.read(sink.config());
        long commits = shard.appends();
        long bound = logarithmicBound(commits);
        assertThat(commits).as("commits").isGreaterThan(20);
        assertThat((long) parts.state().batches().size()).as("batches after %d commits", commits)
                .isLessThanOrEqualTo(bound);
        assertThat((long) parts.state().batches().stream().mapToInt(b -> b.runCount()).sum())
                .as("runs a snapshot merges after %d commits", commits).isLessThanOrEqualTo(bound);
        assertThat(gauge(job, "compactionsApplied")).isPositive();
        assertThat(gauge(job, "numRestarts")).isEqualTo(FAILURES);
        parts.assertStoredAsPersist();
    }

    /**
     * A streaming job of {@value #LONG_JOB_COMMITS} checkpoints 50 ms apart, one commit each: whenever it is looked at
     * while it runs, its shard holds at most 2·log2(commits) + 8 batches, and when it stops a snapshot merges at most
     * as many runs (while it runs, the newest commits' batches hold a run per writer part until the committer's
     * maintenance rewrites them); stopped with a savepoint, every record its source emitted is in the shard once
     * (each source subtask emits a prefix of its range, so the shard must hold exactly two such prefixes).
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aStreamingJobOfThousandsOfCheckpointsKeepsItsShardLogarithmic() throws Exception {
        assumeTrue(runsLongJobs(), "thousands of commits run on the embedded stores only, to keep the suite short");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(50);
        PersistSink<String> sink = sink("thousands-of-checkpoints");
        long range = 100_000_000L;
        env.fromSequence(0, range - 1).map(new SlowDown(1)).sinkTo(sink).uid("persist-sink");
        JobClient job = env.executeAsync("thousands of checkpoints");

        PersistSinkConfig config = sink.config();
        long commits = 0;
        int largestBatches = 0;
        try (Blob blob = config.location().openBlob(config.persistConfig().hadoopOptions(), RetryPolicy.DEFAULT);
                Consensus consensus = config.location().openConsensus()) {
            while (commits < LONG_JOB_COMMITS) {
                Thread.sleep(100);
                Optional<ShardState> state = StateVersions.readLatest(config.shardId(), consensus, blob);
                if (state.isEmpty()) {
                    continue;
                }
                // Read after the state: the bound is never tighter than the state's own commits allow.
                commits = counted(job.getJobID(), "commits");
                int batches = state.get().batches().size();
                assertThat((long) batches).as("batches after %d commits", commits)
                        .isLessThanOrEqualTo(logarithmicBound(commits));
                largestBatches = Math.max(largestBatches, batches);
            }
        }
        job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();

        Map<String, Long> contents = ShardContents.read(config).diffsByValue();
        assertThat(contents.values()).as("diffs").containsOnly(1L);
        // The two source subtasks read [0, range/2) and [range/2, range): each emitted a prefix of its half.
        long firstHalf = contents.keySet().stream().mapToLong(v -> Long.parseLong(v.substring(1)))
                .filter(n -> n < range / 2).count();
        long secondHalf = contents.size() - firstHalf;
        Map<String, Long> prefixes = Stream.concat(LongStream.range(0, firstHalf).boxed(),
                        LongStream.range(range / 2, range / 2 + secondHalf).boxed())
                .collect(Collectors.toMap(n -> "r" + n, n -> 1L));
        assertThat(contents).isEqualTo(prefixes);
        assertThat(firstHalf).isPositive();
        assertThat(secondHalf).isPositive();
        assertThat(largestBatches).as("batches seen").isPositive();
        ShardParts parts = ShardParts.read(config);
        long finalCommits = counted(job.getJobID(), "commits");
        assertThat((long) parts.state().batches().size()).as("batches after %d commits", finalCommits)
                .isLessThanOrEqualTo(logarithmicBound(finalCommits));
        assertThat((long) parts.state().batches().stream().mapToInt(HollowBatch::runCount).sum())
                .as("runs a snapshot merges after %d commits", finalCommits)
                .isLessThanOrEqualTo(logarithmicBound(finalCommits));
        assertThat(gauge(job.getJobID(), "compactionsApplied")).isPositive();
        // Whether a merge of the newest batches ran during a longer one depends on timing (PersistCommitterTest holds
        // a merge to show that it does); whenever it did, the two runs never merged the same batches.
        assertThat(gauge(job.getJobID(), "compactionsDiscarded")).isZero();
        assertThat(parts.unreferenced()).isEmpty();
    }

    /** Whether this location runs {@link #aStreamingJobOfThousandsOfCheckpointsKeepsItsShardLogarithmic}. */
    protected boolean runsLongJobs() {
        return false;
    }

    private static long logarithmicBound(long commits) {
        return (long) Math.ceil(2 * Math.log(Math.max(commits, 1)) / Math.log(2)) + 8;
    }

    /**
     * A part a failed attempt uploaded and nobody appended is deleted by the committer's orphan sweep once it is
     * older than the grace period; the job's own parts, referenced, stay.
     */
    @Test
    void theCommittersOrphanSweepDeletesAnOldUnreferencedPart() throws Exception {
        PersistSink<String> sink = location(PersistSink.<String>builder(), Map.of())
                .shardName("orphans")
                // One merge at a time: the sweep runs in the run that merges.
                .compactionConcurrency(1)
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .inlineThresholdBytes(0)
                .markerRetention(Duration.ofSeconds(1))
                .orphanGrace(Duration.ofSeconds(2))
                .build();
        List<String> orphan;
        try (PersistClient client = sink.config().openClient()) {
            BatchBuilder builder = client.batchBuilder(sink.config().shardId(), Frontier.MINIMUM, PartIdSequence.random());
            builder.add("k".getBytes(StandardCharsets.UTF_8), new byte[0], 0, 1);
            orphan = builder.finish(Frontier.of(1)).intoHollowBatch().parts().stream()
                    .map(p -> p.blobKey(sink.config().shardId())).toList();
        }
        assertThat(orphan).isNotEmpty();
        Thread.sleep(2_500);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        env.fromSequence(0, RECORDS - 1).map(n -> "r" + n).sinkTo(sink).uid("persist-sink");
        JobID job = env.execute("orphan sweep").getJobID();

        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
        ShardParts parts = ShardParts.read(sink.config());
        assertThat(parts.inBlob()).doesNotContainAnyElementsOf(orphan);
        assertThat(parts.unreferenced()).isEmpty();
        assertThat(gauge(job, "orphanPartsDeleted")).isEqualTo(orphan.size());
    }

    /**
     * One failure at each point of a checkpoint's life, in the first attempt after two checkpoints: the restored
     * job leaves every record once, and no part in blob that the shard does not reference (a restored writer
     * deletes the parts its failed attempt wrote after the restored checkpoint).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(FailurePoint.class)
    void aFailureAtEachPointLeavesEveryRecordOnceAndNoPartBehind(FailurePoint point) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarting(2));
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        // The upload that fails is the next one under the shard: it must be a writer's, not the compactor's.
        PersistSink<String> sink = smallPartsSink("failure-" + point, failingFileSystem(),
                point != FailurePoint.DURING_UPLOAD);
        String shard = sink.config().shardId().toString();
        env.fromSequence(0, RECORDS - 1).map(new SlowDown(5).untilFailureIn(shard))
                .sinkTo(new FailureInjectingSink<>(sink, point)).uid("persist-sink");
        JobID job = env.execute("failure " + point).getJobID();

        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
        ShardParts parts = ShardParts.read(sink.config());
        assertThat(parts.referenced()).isNotEmpty();
        assertThat(parts.unreferenced()).isEmpty();
        // Rolled up every few versions, through the failure: diffs in consensus, rollups in blob, nothing else.
        assertThat(parts.state().rollups().firstKey().value()).isGreaterThan(1);
        parts.assertStoredAsPersist();
        assertThat(gauge(job, "numRestarts")).isEqualTo(1);
        switch (point) {
            case AFTER_PREPARE_COMMIT -> assertThat(counted(job, "abandonedPartsDeleted")).isPositive();
            case AFTER_APPEND -> assertThat(counted(job, "alreadyCommitted")).isGreaterThanOrEqualTo(1);
            case DURING_UPLOAD ->
                    assertThat(FailingUploads.failedAttempts()).isEqualTo(RetryPolicy.DEFAULT.maxAttempts());
            case BEFORE_CHECKPOINT -> { }
        }
    }

    /**
     * With unaligned checkpoints a batch may reach the aggregator after the barrier of its checkpoint (it is then
     * committed with the next one) or be stored in the checkpoint as in-flight data: after a failure every record
     * is still in the shard once and no part is left behind.
     */
    @Test
    void unalignedCheckpointsWithAFailureLeaveEveryRecordOnceAndNoPartBehind() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarting(2));
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        env.getCheckpointConfig().setAlignedCheckpointTimeout(Duration.ZERO);
        PersistSink<String> sink = smallPartsSink("unaligned", Map.of());
        env.fromSequence(0, RECORDS - 1).map(new SlowDown(5)).rebalance()
                .sinkTo(new FailureInjectingSink<>(sink, FailurePoint.AFTER_PREPARE_COMMIT)).uid("persist-sink");
        JobID job = env.execute("unaligned checkpoints").getJobID();

        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
        assertThat(ShardParts.read(sink.config()).unreferenced()).isEmpty();
        assertThat(gauge(job, "numRestarts")).isEqualTo(1);
    }

    /**
     * Every writer lease runs out, once while the job runs and once while it is stopped (another process's clock
     * is two days ahead), so the shard forgets the committer's writer and its idempotency token; the running job
     * re-registers with its next append, and a job restored from the savepoint still recognises the replayed
     * committable by its commit marker.
     */
    @Test
    void aCommittableReplayedAfterTheWriterLeasesExpiredIsStillSkipped() throws Exception {
        PersistSink<String> sink = sink("lease-expiry");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        pipeline(env, sink, 1);
        JobClient first = env.executeAsync("before lease expiry");
        while (ShardContents.read(sink.config()).diffsByValue().isEmpty()) {
            Thread.sleep(50);
        }
        // The committer registered as a writer of the shard with its first append.
        assertThat(ShardParts.read(sink.config()).state().writers()).isNotEmpty();
        expireEveryLease(sink.config());
        String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        expireEveryLease(sink.config());
        ShardParts stopped = ShardParts.read(sink.config());
        assertThat(stopped.state().writers()).isEmpty();
        assertThat(stopped.state().commitMarkers()).containsKey("lease-expiry-test");

        JobID restored = runToEndFrom(savepoint, sink, PARALLELISM);

        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
        assertThat(counted(restored, "alreadyCommitted")).isGreaterThanOrEqualTo(1);
    }

    /**
     * Flink recovers from the last checkpoint, not from a savepoint taken after it: the restored writers must
     * keep the parts of the batches the savepoint holds, so that a job restored from the savepoint later can still
     * commit them (and the shard stays readable).
     */
    @Test
    void aFailoverAfterASavepointKeepsThePartsTheSavepointHolds() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarting(1));
        env.setParallelism(PARALLELISM);
        // Rare checkpoints, so that the failure right after the savepoint comes before the next one.
        env.enableCheckpointing(3_000);
        PersistSink<String> sink = smallPartsSink("savepoint-then-failover", Map.of());
        FailOnDemand.reset();
        env.fromSequence(0, RECORDS - 1).uid("numbers")
                .map(new SlowDown(3)).uid("slow-down")
                .map(new FailOnDemand()).uid("fail-on-demand")
                .sinkTo(sink).uid("persist-sink");
        JobClient job = env.executeAsync("savepoint then failover");
        while (ShardContents.read(sink.config()).diffsByValue().isEmpty()) {
            Thread.sleep(20);
        }
        String savepoint = job.triggerSavepoint(dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        FailOnDemand.failNext();
        job.getJobExecutionResult().get();
        assertThat(FailOnDemand.failed()).isTrue();
        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
        assertThat(counted(job.getJobID(), "abandonedPartsDeleted")).isZero();

        FailOnDemand.reset();
        runToEndFrom(savepoint, sink, PARALLELISM);

        // The savepoint's own batch, never committed by the first job, is committed now: readable, every part there.
        Map<String, Long> counts = ShardContents.read(sink.config()).diffsByValue();
        assertThat(counts.keySet()).isEqualTo(expected().keySet());
        assertThat(counts.values()).allMatch(c -> c == 1 || c == 2).contains(2L);
    }

    /**
     * A job takes two intermediate savepoints (no checkpoint commits in between) and is cancelled; a new
     * submission restores the older one. Its restored writers must not delete what the old job wrote after that
     * savepoint: the later savepoint's batch holds those parts, and a job restored from it later commits them.
     * Every part the shard references must then be there (reading the shard fetches them all).
     */
    @Test
    void restoringAnOlderSavepointIntoANewSubmissionKeepsThePartsOfALaterSavepoint() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        // Savepoints only: the first periodic checkpoint would come after an hour.
        env.enableCheckpointing(Duration.ofHours(1).toMillis());
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Duration.ofHours(1).toMillis());
        PersistSink<String> first = smallPartsSink("two-savepoints", Map.of());
        pipeline(env, first, 1);
        JobClient job = env.executeAsync("two savepoints");
        Thread.sleep(1_500);
        String savepoints = dir.resolve("savepoints").toUri().toString();
        String older = job.triggerSavepoint(savepoints, SavepointFormatType.CANONICAL).get();
        Thread.sleep(1_000);
        String later = job.triggerSavepoint(savepoints, SavepointFormatType.CANONICAL).get();
        job.cancel().get();

        // Each submission builds its sink anew, so each is a new sink instance.
        runToEndFrom(older, smallPartsSink("two-savepoints", Map.of()), PARALLELISM);
        runToEndFrom(later, smallPartsSink("two-savepoints", Map.of()), PARALLELISM);

        Map<String, Long> counts = ShardContents.read(first.config()).diffsByValue();
        assertThat(counts.keySet()).isEqualTo(expected().keySet());
        // Before the older savepoint once; after it, replayed by both restored jobs.
        assertThat(counts.values()).allMatch(c -> c == 1 || c == 2).contains(1L, 2L);
    }

    /** Two days on, any transition drops every lease: here, one by a client whose clock is that far ahead. */
    private static void expireEveryLease(PersistSinkConfig config) {
        long twoDays = Duration.ofDays(2).toMillis();
        PersistConfig later = PersistConfig.builder().hadoopOptions(config.persistConfig().hadoopOptions())
                .clockMs(() -> System.currentTimeMillis() + twoDays).build();
        try (PersistClient client = PersistClient.open(config.location(), later)) {
            WriteHandle other = client.openWriter(config.shardId(), config.codecs());
            other.recordMarker(new CommitMarker("lease-expiry-test", 1));
        }
    }

    /**
     * Stop with a savepoint mid-way, then finish in a new job restored from it: the committable of the
     * savepoint is committed by the first job and replayed by the second (under the first job's id), and
     * every record is in the shard once, also when the restored job runs at another parallelism.
     */
    @ParameterizedTest(name = "parallelism {0} -> {1}")
    @CsvSource({"2, 2", "2, 4", "4, 1"})
    void aJobRestoredFromASavepointIntoANewJobLeavesEveryRecordOnce(int before, int after) throws Exception {
        PersistSink<String> sink = sink("savepoint");
        String savepoint = runUntilSomethingIsCommittedAndStopWithSavepoint(sink, before);
        Map<String, Long> atSavepoint = ShardContents.read(sink.config()).diffsByValue();

        JobID restored = runToEndFrom(savepoint, sink, after);

        assertThat(atSavepoint.size()).isBetween(1, RECORDS - 1);
        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected());
        // The savepoint's own committable, committed by the first job, came back in the restored job's state.
        assertThat(counted(restored, "alreadyCommitted")).isGreaterThanOrEqualTo(1);
    }

    /**
     * Restoring an older savepoint after later checkpoints were committed replays the data after the
     * savepoint (as with any sink), and the restored job's checkpoints must all be committed: a marker of an
     * earlier run must not make new data look committed.
     */
    @Test
    void restoringAnOlderSavepointAgainCommitsEveryLaterCheckpointOfTheNewJob() throws Exception {
        PersistSink<String> sink = sink("older-savepoint");
        String savepoint = runUntilSomethingIsCommittedAndStopWithSavepoint(sink, PARALLELISM);
        Map<String, Long> atSavepoint = ShardContents.read(sink.config()).diffsByValue();

        runToEndFrom(savepoint, sink, PARALLELISM);
        runToEndFrom(savepoint, sink, PARALLELISM);

        // What the savepoint had committed stays once; everything after it was written by both restored jobs.
        Map<String, Long> expected = LongStream.range(0, RECORDS).mapToObj(n -> "r" + n)
                .collect(Collectors.toMap(Function.identity(), v -> atSavepoint.containsKey(v) ? 1L : 2L));
        assertThat(atSavepoint.size()).isBetween(1, RECORDS - 1);
        assertThat(ShardContents.read(sink.config()).diffsByValue()).isEqualTo(expected);
    }

    /**
     * Two jobs append to one shard at the same time, so their committers race for the upper (a lost race
     * is retried at a newer time): both complete and each wrote every record once.
     */
    @Test
    void twoJobsWritingOneShardAtTheSameTimeBothLandEveryRecordOnce() throws Exception {
        PersistSink<String> sink = sink("two-jobs");
        JobClient[] jobs = new JobClient[2];
        for (int i = 0; i < jobs.length; i++) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(PARALLELISM);
            env.enableCheckpointing(100);
            pipeline(env, sink, 5);
            jobs[i] = env.executeAsync("concurrent " + i);
        }
        for (JobClient job : jobs) {
            job.getJobExecutionResult().get();
        }

        assertThat(ShardContents.read(sink.config()).diffsByValue())
                .isEqualTo(LongStream.range(0, RECORDS).mapToObj(n -> "r" + n)
                        .collect(Collectors.toMap(Function.identity(), v -> 2L)));
    }

    /**
     * Job A, then job B under the same fixed job id and without restored state, as application mode with HA or a
     * Kubernetes stateless upgrade runs them: B's checkpoint ids start over, and none of them is B's replay.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RuntimeExecutionMode.class, names = {"STREAMING", "BATCH"})
    void twoJobsInTurnUnderOneFixedJobIdEachLandEveryRecordOnce(RuntimeExecutionMode mode) throws Exception {
        JobID fixed = JobID.generate();
        PersistSinkConfig config = null;
        for (String prefix : List.of("a", "b")) {
            // Each deployment is a cluster of its own, and builds its sink anew, as a user's main() does.
            try (OwnMiniCluster cluster = ownCluster()) {
                StreamExecutionEnvironment env = cluster.env(OwnMiniCluster.fixedJobId(new Configuration(), fixed));
                env.setRuntimeMode(mode);
                env.enableCheckpointing(100);
                PersistSink<String> sink = sink("fixed-job-id-" + mode);
                config = sink.config();
                env.fromSequence(0, RECORDS - 1).map(new SlowDown(5, prefix)).sinkTo(sink).uid("persist-sink");
                assertThat(env.execute("fixed job id, job " + prefix).getJobID()).isEqualTo(fixed);
            }
        }

        assertThat(ShardContents.read(config).diffsByValue()).isEqualTo(expected("a", "b"));
        assertThat(ShardParts.read(config).unreferenced()).isEmpty();
    }

    /**
     * A job commits past a savepoint; another restores that older savepoint under the same fixed job id and writes
     * on: its checkpoints reuse checkpoint ids already committed, and none of them may be taken for a replay. The
     * source replays what came after the savepoint (as for every sink): those records are in the shard twice,
     * everything else once.
     */
    @Test
    void restoringAnOlderSavepointUnderTheSameFixedJobIdLosesNothing() throws Exception {
        JobID fixed = JobID.generate();
        PersistSinkConfig config;
        String savepoint;
        try (OwnMiniCluster cluster = ownCluster()) {
            PersistSink<String> first = sink("older-savepoint-fixed-id");
            config = first.config();
            savepoint = runUntilSomethingIsCommittedAndStopWithSavepoint(first,
                    cluster.env(OwnMiniCluster.fixedJobId(new Configuration(), fixed)));
        }
        Map<String, Long> atSavepoint = ShardContents.read(config).diffsByValue();
        for (int restore = 0; restore < 2; restore++) {
            try (OwnMiniCluster cluster = ownCluster()) {
                JobID restored = runToEndFrom(savepoint, sink("older-savepoint-fixed-id"), PARALLELISM,
                        conf -> cluster.env(OwnMiniCluster.fixedJobId(conf, fixed)));
                assertThat(restored).isEqualTo(fixed);
            }
        }

        Map<String, Long> expected = LongStream.range(0, RECORDS).mapToObj(n -> "r" + n)
                .collect(Collectors.toMap(Function.identity(), v -> atSavepoint.containsKey(v) ? 1L : 2L));
        assertThat(atSavepoint.size()).isBetween(1, RECORDS - 1);
        assertThat(ShardContents.read(config).diffsByValue()).isEqualTo(expected);
        assertThat(ShardParts.read(config).unreferenced()).isEmpty();
    }

    /** Two sinks on one shard in one job, both with the default sink id: neither takes the other's commits. */
    @Test
    void twoSinksOnOneShardInOneJobEachLandEveryRecordOnce() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        PersistSinkConfig config = twoSinksOnOneShard(env, "two-sinks", false);
        JobID job = env.execute("two sinks on one shard").getJobID();

        assertThat(ShardContents.read(config).diffsByValue()).isEqualTo(expected("a", "b"));
        assertThat(ShardParts.read(config).unreferenced()).isEmpty();
        assertThat(gauge(job, "numRestarts")).isZero();
    }

    /**
     * The same with a task failure that restarts the whole job: both sinks' restored writers clean up after their
     * failed attempt, and their part ids never meet (they used to, and the job restarted forever).
     */
    @Test
    void twoSinksOnOneShardSurviveAFullFailoverWithEveryRecordOnceAndNoPartBehind() throws Exception {
        Configuration conf = restarting(2);
        conf.set(JobManagerOptions.EXECUTION_FAILOVER_STRATEGY, "full");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(100);
        PersistSinkConfig config = twoSinksOnOneShard(env, "two-sinks-failover", true);
        JobID job = env.execute("two sinks on one shard, one failure").getJobID();

        assertThat(ShardContents.read(config).diffsByValue()).isEqualTo(expected("a", "b"));
        assertThat(ShardParts.read(config).unreferenced()).isEmpty();
        assertThat(gauge(job, "numRestarts")).isEqualTo(1);
    }

    /** An unbounded STREAMING job without checkpointing would never commit: it is refused before it runs. */
    @Test
    void unboundedInputWithoutCheckpointingIsRefusedAtJobStart() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        PersistSink<String> sink = sink("no-checkpointing");
        env.fromSource(new FromElementsSource<>(Boundedness.CONTINUOUS_UNBOUNDED, List.of("r0", "r1"), 2),
                        WatermarkStrategy.noWatermarks(), "endless numbers", Types.STRING)
                .sinkTo(sink).uid("persist-sink");

        assertThatThrownBy(() -> env.execute("unbounded without checkpoints"))
                .hasStackTraceContaining("reads unbounded input [endless numbers] in STREAMING mode without "
                        + "checkpointing, so nothing would ever be committed: enable checkpointing");
        // Refused before anything ran: the shard was never even created.
        try (Consensus consensus = sink.config().location().openConsensus()) {
            assertThat(consensus.head(sink.config().shardId().toString())).isEmpty();
        }
    }

    private OwnMiniCluster ownCluster() throws Exception {
        return new OwnMiniCluster(metrics().addToConfiguration(new Configuration()), MAX_PARALLELISM, PARALLELISM);
    }

    /**
     * Two sinks with the default sink id on one shard, writing "a…" and "b…", and a failure after two checkpoints
     * if {@code failing}; returns the shard's config.
     */
    private PersistSinkConfig twoSinksOnOneShard(StreamExecutionEnvironment env, String shardName, boolean failing) {
        PersistSink<String> a = smallPartsSink(shardName, Map.of());
        PersistSink<String> b = smallPartsSink(shardName, Map.of());
        assertThat(a.config().sinkId()).isEqualTo(b.config().sinkId());
        DataStream<Long> numbers = env.fromSequence(0, RECORDS - 1);
        if (failing) {
            numbers = numbers.map(new FailOnceAfterTwoCheckpoints());
        }
        numbers.map(new SlowDown(5, "a")).sinkTo(a).uid("sink-a");
        numbers.map(new SlowDown(5, "b")).sinkTo(b).uid("sink-b");
        return a.config();
    }

    /** Runs a slow job (about 10 s) until a first commit lands, then stops it with a savepoint. */
    private String runUntilSomethingIsCommittedAndStopWithSavepoint(PersistSink<String> sink, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        return runUntilSomethingIsCommittedAndStopWithSavepoint(sink, env);
    }

    private String runUntilSomethingIsCommittedAndStopWithSavepoint(PersistSink<String> sink,
            StreamExecutionEnvironment env) throws Exception {
        env.enableCheckpointing(100);
        pipeline(env, sink, 1);
        JobClient job = env.executeAsync("before savepoint");
        while (ShardContents.read(sink.config()).diffsByValue().isEmpty()) {
            Thread.sleep(50);
        }
        return job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
    }

    private JobID runToEndFrom(String savepoint, PersistSink<String> sink, int parallelism) throws Exception {
        return runToEndFrom(savepoint, sink, parallelism, StreamExecutionEnvironment::getExecutionEnvironment);
    }

    private JobID runToEndFrom(String savepoint, PersistSink<String> sink, int parallelism,
            Function<Configuration, StreamExecutionEnvironment> environment) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env = environment.apply(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        pipeline(env, sink, Long.MAX_VALUE);
        return env.execute("restored from savepoint").getJobID();
    }

    private static void pipeline(StreamExecutionEnvironment env, PersistSink<String> sink, long sleepEvery) {
        env.fromSequence(0, RECORDS - 1).uid("numbers")
                .map(new SlowDown(sleepEvery)).uid("slow-down")
                .sinkTo(sink).uid("persist-sink");
    }

    /** The sum of a counter over all subtasks (and attempts) of a job. */
    private long counted(JobID job, String name) {
        return metricsOf(job, name).mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    /** The largest value of a gauge of a job (e.g. the job manager's numRestarts). */
    private long gauge(JobID job, String name) {
        return metricsOf(job, name).mapToLong(m -> ((Number) ((Gauge<?>) m).getValue()).longValue()).max()
                .orElseThrow();
    }

    /** Every metric of that name registered for the job, by every attempt of every task. */
    private Stream<Metric> metricsOf(JobID job, String name) {
        return metrics().getMetricsByGroup().entrySet().stream()
                .filter(e -> job.toString().equals(e.getKey().getAllVariables().get("<job_id>")))
                .map(e -> e.getValue().get(name))
                .filter(Objects::nonNull);
    }

    /** Where the shard lives. */
    private PersistSinkBuilder<String> location(PersistSinkBuilder<String> builder) {
        return location(builder, Map.of());
    }

    /** Where the shard lives, with these Hadoop options for the blob store's file system on top. */
    protected abstract PersistSinkBuilder<String> location(PersistSinkBuilder<String> builder,
            Map<String, String> hadoopOptions);

    /** Hadoop options that install this location's file system with {@link FailingUploads}. */
    protected abstract Map<String, String> failingFileSystem();

    /** The reporter of the subclass's MiniCluster. */
    protected abstract InMemoryReporter metrics();

    /** A MiniCluster for these jobs, reporting to {@code metrics}. */
    static MiniClusterExtension miniCluster(InMemoryReporter metrics) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(metrics.addToConfiguration(new Configuration()))
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(MAX_PARALLELISM)
                .build());
    }

    private PersistSink<String> sink(String shardName) {
        return location(PersistSink.<String>builder())
                .shardName(shardName)
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                // Small parts, so that jobs upload several parts per checkpoint.
                .partTargetSizeBytes(16 * 1024)
                .build();
    }

    /** Small blob parts and none inline, so that each lost batch leaves several parts to find. */
    private PersistSink<String> smallPartsSink(String shardName, Map<String, String> hadoopOptions) {
        return smallPartsSink(shardName, hadoopOptions, true);
    }

    private PersistSink<String> smallPartsSink(String shardName, Map<String, String> hadoopOptions,
            boolean compaction) {
        return location(PersistSink.<String>builder(), hadoopOptions)
                .compaction(compaction)
                .shardName(shardName)
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .partTargetSizeBytes(2048)
                .inlineThresholdBytes(0)
                // Rollups, their collection and truncation every few commits, through every failure.
                .rollupThreshold(4)
                .build();
    }

    /** A job configuration that restarts up to {@code attempts} times, 100 ms apart. */
    private static Configuration restarting(int attempts) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        return conf;
    }

    private static Map<String, Long> expected() {
        return expected("r");
    }

    /** Every record once under each prefix. */
    private static Map<String, Long> expected(String... prefixes) {
        return Stream.of(prefixes).flatMap(p -> LongStream.range(0, RECORDS).mapToObj(n -> p + n))
                .collect(Collectors.toMap(Function.identity(), v -> 1L));
    }

    /** Slows the source so that a bounded job sees several checkpoints; each number becomes prefix + number. */
    private static final class SlowDown extends RichMapFunction<Long, String> {
        /** Records of its share after which a first attempt still waiting for its injected failure crawls. */
        private static final long CRAWL_AFTER = RECORDS / PARALLELISM * 4 / 5;
        /**
         * Records it crawls over at most (15 s): a failure that cannot happen then fails the test's restart count
         * instead of its timeout, and leaves no job behind.
         */
        private static final long CRAWL_AT_MOST = 1_500;

        private final long sleepEvery;
        private final String prefix;
        private final String failingShard;
        private long seen;

        SlowDown(long sleepEvery) {
            this(sleepEvery, "r", null);
        }

        SlowDown(long sleepEvery, String prefix) {
            this(sleepEvery, prefix, null);
        }

        private SlowDown(long sleepEvery, String prefix, String failingShard) {
            this.sleepEvery = sleepEvery;
            this.prefix = prefix;
            this.failingShard = failingShard;
        }

        /**
         * Keeps the first attempt running (10 ms a record over its last fifth) until the failure injected into
         * the job writing {@code shard} has happened, so a loaded machine cannot finish the job before it.
         */
        SlowDown untilFailureIn(String shard) {
            return new SlowDown(sleepEvery, prefix, shard);
        }

        @Override
        public String map(Long n) throws InterruptedException {
            if (++seen % sleepEvery == 0) {
                Thread.sleep(1);
            }
            if (failingShard != null && seen > CRAWL_AFTER && seen <= CRAWL_AFTER + CRAWL_AT_MOST
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0
                    && !InjectedFailures.happened(failingShard)) {
                Thread.sleep(10);
            }
            return prefix + n;
        }
    }

    /** Throws once, in subtask 0 of the first attempt, after two checkpoints have completed; passes numbers on. */
    private static final class FailOnceAfterTwoCheckpoints extends RichMapFunction<Long, Long>
            implements CheckpointListener {
        private int completed;

        @Override
        public Long map(Long n) {
            if (completed >= 2 && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                throw new IllegalStateException("injected failure after two checkpoints");
            }
            return n;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            completed++;
        }
    }

    /** Throws once, in the first record after the test asks for it. */
    private static final class FailOnDemand extends RichMapFunction<String, String> {
        private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();
        private static final AtomicBoolean FAILED = new AtomicBoolean();

        static void reset() {
            FAIL_NEXT.set(false);
            FAILED.set(false);
        }

        static void failNext() {
            FAIL_NEXT.set(true);
        }

        static boolean failed() {
            return FAILED.get();
        }

        @Override
        public String map(String value) {
            if (FAIL_NEXT.compareAndSet(true, false)) {
                FAILED.set(true);
                throw new IllegalStateException("injected failure after a savepoint");
            }
            return value;
        }
    }

    /** Throws in subtask 0 of each of the first {@link #FAILURES} attempts, after 1000 records of the attempt. */
    private static final class FailInTheFirstAttempts extends RichMapFunction<String, String> {
        private long seen;

        @Override
        public String map(String value) {
            if (++seen == 1000 && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() < FAILURES) {
                throw new IllegalStateException("injected failure");
            }
            return value;
        }
    }
}
