package io.flinkpersist.e2e.bench;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.maintenance.MaintenanceMetrics;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateVersions;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A day of a one-second-checkpoint sink against one shard, with compaction and garbage collection on, through the
 * core API as the sink's committer uses it: every commit appends the batches of two writers at time
 * {@code commit * 1000} (a simulated second each), one of ten updates (inline), the other, every tenth commit, of
 * 400 updates (a blob part); every update replaces the value of one of {@value #KEYS} keys (a retraction of the old
 * value and an insertion of the new one). After each commit the maintenance runs as the committer's does (here on
 * the same thread, timed apart). At 1,000, 10,000 and the last commit it prints: batches in the shard, runs a
 * snapshot merges, the median time of five snapshots of the latest time and their peak heap, blob bytes against
 * the bytes of the parts the latest state references (the live data and the retained history as the shard encodes
 * them) and the raw bytes of both (key, value and 16 bytes of time and diff per update; the history is what the
 * shard keeps readable, from its since), the since's lag behind the upper, consensus rows, commit p50/p99 over the
 * preceding 1,000 commits, and the maintenance time per commit so far.
 *
 * <p>A snapshot reads the live data and the retained history, so its time grows with the history until a full
 * retention of it is held (3,600 commits at the default hour). {@code retention} (seconds, default the product's
 * default) lets a run hold the same history at its first report as at its last.
 *
 * <p>{@code mvn -B -Pcompaction-bench package [-Dcompaction.bench.args="<commits> [retention] [batches]"]}
 * (default 86400; {@code batches} also lists the shard's batches at each report), on the embedded defaults (SQLite
 * consensus, local blob).
 */
public final class CompactionBenchmark {
    private static final int KEYS = 10_000;
    private static final int SMALL_BATCH = 10;
    private static final int LARGE_BATCH = 400;
    private static final int WINDOW = 1_000;
    private static final int SNAPSHOTS = 5;
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");

    private final Random random = new Random(42);
    /** The live value of every key, as a version number; 0: never written. */
    private final int[] versions = new int[KEYS];
    private final long[] commitNanos;
    private long maintenanceNanos;
    private boolean debug;

    private CompactionBenchmark(int commits) {
        this.commitNanos = new long[commits];
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        boolean debug = arguments.remove("batches");
        int commits = arguments.isEmpty() ? 86_400 : Integer.parseInt(arguments.get(0));
        CompactionBenchmark bench = new CompactionBenchmark(commits);
        bench.debug = debug;
        CompactionSettings compaction = CompactionSettings.defaults();
        if (arguments.size() > 1) {
            compaction = compaction.withHistoryRetention(Duration.ofSeconds(Long.parseLong(arguments.get(1))));
        }
        bench.run(commits, compaction);
    }

    private void run(int commits, CompactionSettings compaction) throws Exception {
        Path dir = Files.createTempDirectory("compaction-bench");
        PersistLocation location = PersistLocation.embedded(dir);
        PersistConfig config = PersistConfig.builder().compaction(compaction).build();
        Set<Integer> reportAt = new TreeSet<>(List.of(Math.min(1_000, commits), Math.min(10_000, commits), commits));
        ShardId shard = ShardId.random();
        System.out.printf(Locale.ROOT, "compaction benchmark: %d commits of 2 writers, %d keys, history retention %s%n",
                commits, KEYS, config.compaction().historyRetentionMs() + " ms");
        System.out.printf(Locale.ROOT, "%8s %8s %6s %10s %10s %12s %12s %12s %12s %8s %8s %9s %9s %12s%n",
                "commits", "batches", "runs", "snap ms", "snap MiB", "blob KiB", "refd KiB", "live KiB", "hist KiB",
                "lag s", "rows", "p50 ms", "p99 ms", "maint ms/c");
        try (PersistClient client = PersistClient.open(location, config);
                Blob blob = location.openBlob(config.hadoopOptions(), RetryPolicy.DEFAULT);
                Consensus consensus = location.openConsensus()) {
            WriteHandle committer = client.openWriter(shard, CODECS);
            List<WriteHandle> writers = List.of(client.openWriter(shard, CODECS), client.openWriter(shard, CODECS));
            ShardMaintenance maintenance = client.openMaintenance(shard, CODECS);
            long upper = 0;
            for (int c = 1; c <= commits; c++) {
                long ts = c * 1_000L;
                List<Batch> batches = new ArrayList<>();
                batches.add(batch(writers.get(0), upper, ts, SMALL_BATCH));
                if (c % 10 == 0) {
                    batches.add(batch(writers.get(1), upper, ts, LARGE_BATCH));
                }
                long start = System.nanoTime();
                AppendResult result = committer.compareAndAppend(batches, Frontier.of(upper), Frontier.of(ts + 1));
                commitNanos[c - 1] = System.nanoTime() - start;
                if (!(result instanceof AppendResult.Committed)) {
                    throw new IllegalStateException("commit " + c + ": " + result);
                }
                upper = ts + 1;
                long maintenanceStart = System.nanoTime();
                maintenance.compact(16);
                if (c % 3_600 == 0) {
                    maintenance.sweepOrphans(Duration.ofMinutes(1));
                }
                maintenanceNanos += System.nanoTime() - maintenanceStart;
                if (reportAt.contains(c)) {
                    report(c, shard, client, blob, consensus, upper);
                }
            }
            MaintenanceMetrics m = maintenance.metrics();
            System.out.printf(Locale.ROOT, "merges applied %d, discarded %d, failed %d; bytes read %d, written %d; "
                            + "parts deleted by GC %d (committer) + %d (maintenance)%n", m.compactionsApplied(),
                    m.compactionsDiscarded(), m.compactionFailures(), m.compactionBytesRead(),
                    m.compactionBytesWritten(), committer.stateMetrics().partsDeleted(),
                    maintenance.stateMetrics().partsDeleted());
        }
    }

    /** A writer's batch at {@code ts}: each update moves a random key to its next value. */
    private Batch batch(WriteHandle writer, long lower, long ts, int updates) {
        BatchBuilder builder = writer.builder(Frontier.of(lower));
        for (int i = 0; i < updates; i++) {
            int key = random.nextInt(KEYS);
            if (versions[key] > 0) {
                builder.add(key(key), value(key, versions[key]), ts, -1);
            }
            versions[key]++;
            builder.add(key(key), value(key, versions[key]), ts, 1);
        }
        return builder.finish(Frontier.of(ts + 1));
    }

    private static byte[] key(int key) {
        return ("key-" + key).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int key, int version) {
        return ("value-" + key + "-" + version + "-padding-to-forty-bytes").getBytes(StandardCharsets.UTF_8);
    }

    private void report(int commits, ShardId shard, PersistClient client, Blob blob, Consensus consensus,
            long upper) {
        ShardState state = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
        int runs = state.batches().stream().mapToInt(HollowBatch::runCount).sum();
        if (debug) {
            state.batches().forEach(b -> System.out.println("  batch " + b.desc() + " len " + b.len() + " parts "
                    + b.parts().size()));
            System.out.println("  since " + state.since() + " upper " + state.upper());
        }
        long[] blobBytes = new long[1];
        blob.list(shard + "/", (key, size) -> blobBytes[0] += size);
        // What the latest state references: the live data and the retained history as the shard encodes them.
        long referencedBytes = state.batches().stream().flatMap(b -> b.parts().stream())
                .mapToLong(p -> p.isInline() ? p.inlineBytes() : p.encodedSizeBytes()).sum();
        int rows = consensus.scan(shard.toString(), SeqNo.MINIMUM, Integer.MAX_VALUE).size();

        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long liveBytes = 0;
        long historyBytes = 0;
        long[] snapshotNanos = new long[SNAPSHOTS];
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            for (int i = 0; i < SNAPSHOTS; i++) {
                long start = System.nanoTime();
                long bytes = 0;
                try (Consolidator snapshot = reader.snapshot(upper - 1, Duration.ofSeconds(10))) {
                    while (snapshot.next()) {
                        bytes += snapshot.key().length + snapshot.value().length + 16;
                    }
                }
                snapshotNanos[i] = System.nanoTime() - start;
                liveBytes = bytes;
            }
            Arrays.sort(snapshotNanos);
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            // The retained history: what the shard keeps readable after its since, beyond the live data.
            long since = reader.since().element().orElseThrow();
            var listen = reader.listen(since);
            while (listen.frontier().lessThan(Frontier.of(upper))) {
                try (Consolidator history = listen.next(Duration.ofSeconds(10)).updates()) {
                    while (history.next()) {
                        historyBytes += history.key().length + history.value().length + 16;
                    }
                }
            }
            long[] window = Arrays.copyOfRange(commitNanos, Math.max(0, commits - WINDOW), commits);
            Arrays.sort(window);
            System.out.printf(Locale.ROOT, "%8d %8d %6d %10.1f %10.1f %12d %12d %12d %12d %8d %8d %9.2f %9.2f %12.2f%n",
                    commits, state.batches().size(), runs, snapshotNanos[SNAPSHOTS / 2] / 1e6, peak / 1048576.0,
                    blobBytes[0] / 1024, referencedBytes / 1024, liveBytes / 1024, historyBytes / 1024,
                    (upper - 1 - since) / 1000, rows, window[window.length / 2] / 1e6,
                    window[(int) (window.length * 0.99)] / 1e6, maintenanceNanos / 1e6 / commits);
        }
    }
}
