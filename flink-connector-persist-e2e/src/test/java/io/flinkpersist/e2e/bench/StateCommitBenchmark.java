package io.flinkpersist.e2e.bench;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.state.StateMetrics;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a commit costs as a shard ages: commits N small batches (ten updates, a one-second checkpoint's worth of
 * a slow stream) the way the sink's committer does (read the upper, compare-and-append), and prints, for the
 * window of 100 commits ending at 1,000, 10,000, 100,000 (and every power of ten up to N): commit latency p50,
 * p99 and mean (and how much of it went to writing rollups), consensus bytes written per commit (the state
 * diffs), rollup bytes written per commit (amortised over every commit so far), the size of the whole state, the
 * batches in it, the consensus versions held, and how long opening a new handle on the shard takes and how many
 * diffs it applies to the newest rollup.
 *
 * <p>{@code mvn -B -Pstate-bench package [-Dstate.bench.args="<commits> <stores> <parts>"]}; stores: {@code sqlite}
 * (the embedded defaults), {@code postgres} (an embedded PostgreSQL server with its default durability settings,
 * and a local directory for blob), comma separated; parts: {@code inline} (the defaults: small batches stay in
 * the shard's metadata up to its inline budget, and runs of them then move to blob as one batch) or {@code blob}
 * (every batch one blob part, so every commit adds a batch, as a busy sink's do until compaction). Default:
 * 100000 commits on both stores, inline.
 */
public final class StateCommitBenchmark {
    private static final int WINDOW = 100;
    /** Rollups come every 128 versions: their cost per commit is measured over the 1,000 commits before a report. */
    private static final int ROLLUP_SPAN = 1_000;
    private static final int UPDATES_PER_BATCH = 10;
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");

    private StateCommitBenchmark() {}

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        List<String> stores = Arrays.asList((args.length > 1 ? args[1] : "sqlite,postgres").split(","));
        String parts = args.length > 2 ? args[2] : "inline";
        PersistConfig config = switch (parts) {
            case "inline" -> PersistConfig.defaults();
            // Every batch a blob part: each commit adds a batch to the state, as a busy sink's commits do.
            case "blob" -> PersistConfig.builder()
                    .batch(BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).build())
                    .build();
            default -> throw new IllegalArgumentException("unknown parts '" + parts + "': inline or blob");
        };
        Set<Integer> reportAt = new TreeSet<>();
        for (int at = 1_000; at <= commits; at *= 10) {
            reportAt.add(at);
        }
        reportAt.add(commits);
        for (String store : stores) {
            Path dir = Files.createTempDirectory("state-bench-" + store);
            switch (store) {
                case "sqlite" -> run(store, parts, config, PersistLocation.embedded(dir), commits, reportAt);
                case "postgres" -> {
                    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
                        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                            s.execute("CREATE DATABASE bench");
                        }
                        run(store, parts, config, PersistLocation.parse(dir.resolve("blob").toUri().toString(),
                                postgres.getJdbcUrl("postgres", "bench")), commits, reportAt);
                    }
                }
                default -> throw new IllegalArgumentException("unknown store '" + store + "': sqlite or postgres");
            }
        }
    }

    private static void run(String store, String parts, PersistConfig config, PersistLocation location, int commits,
            Set<Integer> reportAt) {
        System.out.printf(Locale.ROOT, "%n%s, %d commits of %d updates (%s parts), windows of %d commits%n", store,
                commits, UPDATES_PER_BATCH, parts, WINDOW);
        System.out.printf(Locale.ROOT, "%8s %8s %8s %9s %14s %16s %12s %8s %9s %9s %10s%n", "commit", "p50 ms", "p99 ms",
                "mean ms", "diff B/commit", "rollup B/commit", "state B", "batches", "versions", "open ms", "open diffs");
        ShardId shard = ShardId.random();
        long started = System.nanoTime();
        try (PersistClient client = PersistClient.open(location, config);
                Consensus consensus = location.openConsensus()) {
            WriteHandle writer = client.openWriter(shard, CODECS);
            StateMetrics metrics = writer.stateMetrics();
            long[] window = new long[WINDOW];
            long diffBytesAtStart = 0;
            long rollupNanosAtStart = 0;
            for (int commit = 1; commit <= commits; commit++) {
                if ((commit - 1) % WINDOW == 0) {
                    diffBytesAtStart = metrics.diffBytesWritten();
                }
                if (reportAt.contains(commit - 1 + ROLLUP_SPAN)) {
                    rollupNanosAtStart = metrics.rollupNanos();
                }
                BatchBuilder builder = writer.builder(Frontier.of(commit - 1L));
                for (int u = 0; u < UPDATES_PER_BATCH; u++) {
                    builder.add(("key-" + (commit * 31L + u) % 10_007).getBytes(StandardCharsets.UTF_8),
                            ("value-" + commit).getBytes(StandardCharsets.UTF_8), commit - 1L, 1);
                }
                Batch batch = builder.finish(Frontier.of(commit));
                long start = System.nanoTime();
                Frontier upper = writer.fetchRecentUpper();
                AppendResult result = writer.compareAndAppend(List.of(batch), upper, Frontier.of(commit));
                window[(commit - 1) % WINDOW] = System.nanoTime() - start;
                if (!(result instanceof AppendResult.Committed)) {
                    throw new IllegalStateException("commit " + commit + ": " + result);
                }
                if (reportAt.contains(commit)) {
                    long diffBytes = metrics.diffBytesWritten() - diffBytesAtStart;
                    // Rollups come every threshold versions: amortised over every commit so far.
                    long rollupBytes = metrics.rollupBytesWritten() / commit;
                    double rollupMs = (metrics.rollupNanos() - rollupNanosAtStart) / 1e6 / Math.min(commit, ROLLUP_SPAN);
                    long openStart = System.nanoTime();
                    long diffsReadOnOpen;
                    try (PersistClient other = PersistClient.open(location, config)) {
                        WriteHandle opened = other.openWriter(shard, CODECS);
                        if (!opened.upper().equals(Frontier.of(commit))) {
                            throw new IllegalStateException("a new handle sees upper " + opened.upper() + " at commit " + commit);
                        }
                        diffsReadOnOpen = opened.stateMetrics().diffsApplied();
                    }
                    double openMs = (System.nanoTime() - openStart) / 1e6;
                    long versions = consensus.scan(shard.toString(), SeqNo.MINIMUM, 1_000_000).size();
                    long[] sorted = window.clone();
                    Arrays.sort(sorted);
                    System.out.printf(Locale.ROOT, "%8d %8.1f %8.1f %9.2f %14d %16d %12d %8d %9d %9.1f %10d   (rollups: %.2f ms/commit over the last 1000)%n",
                            commit, sorted[WINDOW / 2] / 1e6, sorted[WINDOW * 99 / 100] / 1e6,
                            Arrays.stream(window).average().orElse(0) / 1e6, diffBytes / WINDOW,
                            rollupBytes, metrics.stateBytes(), metrics.batches(), versions, openMs, diffsReadOnOpen, rollupMs);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d commits in %.0f s%n", store, commits, (System.nanoTime() - started) / 1e9);
    }
}
