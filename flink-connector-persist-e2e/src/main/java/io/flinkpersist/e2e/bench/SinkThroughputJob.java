package io.flinkpersist.e2e.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * The sink's throughput in a real job, against baselines run in the same run, as a user choosing a sink would
 * measure it: the same job ({@code fromSequence → map → sink}, parallelism 2, an exactly-once checkpoint every
 * second) on a local MiniCluster, writing records of an 8-byte id and a random payload into each of the
 * {@link BenchSink}s: a discarding sink (what the job costs by itself), a raw file synced at each checkpoint (what
 * the disk allows any sink that keeps the same bytes), Flink's FileSink in row format and as Parquet (the main
 * baseline), and PersistSink on its defaults. Two payload sizes, 100 and 1000 bytes. Every
 * (payload, sink) case runs once per round, rounds one after the other, the sinks' order turned by one each round.
 *
 * <p>Per case: records per second of the job's net runtime (Flink's, from submission to the end); the process's CPU
 * time from submission to result per record (the whole JVM's: MiniCluster, job and sink); the job's
 * checkpoint durations as Flink's checkpoint statistics give them ({@link CheckpointStats}); the most heap in use
 * after a garbage collection during the job ({@link HeapAfterGc}); and then every record read back and checked
 * ({@link RecordCheck}), which fails the run if one is missing, doubled or altered. Each case runs in a JVM of its
 * own (this one's options), right after a warm-up of itself at a tenth of its records, uncounted. At the end, a
 * table per payload size: the median over rounds of each figure with its spread (min–max), and each sink's ratio
 * to FileSink(Parquet), FileSink(row) and the raw file in the same round.
 *
 * <p>{@code mvn -B -Psink-bench package [-Dsink.bench.args="<records at 100 B> <records at 1000 B> <rounds> [sinks]"]}
 * (default 10000000 2500000 3; "200000 50000 1" is a quick check). A payload size given 0 records is left out;
 * {@code sinks}, a comma-separated list of {@link BenchSink} names, runs only those, as in
 * "0 1000000 20 PERSIST_SINK,PERSIST_SINK_NO_PAGE_CHECKSUMS": two sinks then alternate which goes first, round by
 * round, for a paired comparison of many rounds.
 */
public final class SinkThroughputJob {
    private static final int PARALLELISM = 2;
    private static final long CHECKPOINT_INTERVAL_MILLIS = 1_000;
    /** The first argument of a JVM started for one case, and the lines it reports its figures on. */
    private static final String CASE = "--case";
    private static final String RESULT = "CASE RESULT ";
    private static final String FAILURE = "CASE CHECKPOINT FAILURE ";
    private static final OperatingSystemMXBean PROCESS =
            ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);

    private SinkThroughputJob() {}

    /** A payload size and how many records are written with it. */
    private record Workload(int payloadBytes, long records) {}

    /**
     * @param cpuMicrosPerRecord the process's CPU time while the job ran, per record: less disturbed than
     *     records/s by what else the machine does, so the finer measure of what a sink's work costs
     */
    private record CaseResult(double recordsPerSecond, double cpuMicrosPerRecord, CheckpointStats checkpoints,
            HeapAfterGc.Peak heap) {}

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && CASE.equals(args[0])) {
            runCase(BenchSink.valueOf(args[1]), new Workload(Integer.parseInt(args[2]), Long.parseLong(args[3])),
                    Path.of(args[4]));
            // The MiniCluster's threads must not keep this JVM alive once the case is reported.
            System.exit(0);
        }
        List<Workload> workloads = Stream.of(
                        new Workload(100, args.length > 0 ? Long.parseLong(args[0]) : 10_000_000),
                        new Workload(1000, args.length > 1 ? Long.parseLong(args[1]) : 2_500_000))
                .filter(w -> w.records() > 0)
                .toList();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<BenchSink> sinks = args.length > 3
                ? Stream.of(args[3].split(",")).map(String::trim).map(BenchSink::valueOf).toList()
                : Stream.of(BenchSink.values()).filter(sink -> sink.inDefaultRun).toList();
        Path root = Files.createTempDirectory("sink-bench");
        // A case's output is deleted once checked: what a failed check saw stays here.
        System.out.println("data under " + root);
        Map<Workload, Map<BenchSink, List<CaseResult>>> results = new LinkedHashMap<>();

        List<BenchSink> order = new ArrayList<>(sinks);
        for (int round = 1; round <= rounds; round++) {
            for (Workload workload : workloads) {
                for (BenchSink sink : order) {
                    Path dir = root.resolve(sink.name() + "-" + workload.payloadBytes() + "-" + round);
                    CaseResult result = inOwnJvm(sink, workload, dir);
                    System.out.printf("round %d, %4d B: %-30s %,10.0f records/s, %.2f CPU us/record, %s, %s%n",
                            round, workload.payloadBytes(), sink.label, result.recordsPerSecond(),
                            result.cpuMicrosPerRecord(), describe(result.checkpoints()), describe(result.heap()));
                    results.computeIfAbsent(workload, w -> new EnumMap<>(BenchSink.class))
                            .computeIfAbsent(sink, s -> new ArrayList<>()).add(result);
                }
            }
            Collections.rotate(order, 1);
        }
        results.forEach((workload, cases) -> printTable(workload, rounds, cases));
        deleteRecursively(root);
    }

    /**
     * Runs one case in a JVM of its own, started with this JVM's options: a case that shares a JVM with the ones
     * before it runs in what they left (JIT code shaped by another sink, the heap as they sized it, their
     * background threads winding down), which showed as a steady 0.71-0.88 for one sink against its twin that
     * alternating pairs did not show. The case's output is forwarded; its figures come back on one line.
     */
    private static CaseResult inOwnJvm(BenchSink sink, Workload workload, Path dir) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SinkThroughputJob.class.getName(), CASE,
                sink.name(), String.valueOf(workload.payloadBytes()), String.valueOf(workload.records()),
                dir.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String[] figures = null;
        Set<String> failures = new TreeSet<>();
        try (BufferedReader output = process.inputReader()) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                if (line.startsWith(RESULT)) {
                    figures = line.substring(RESULT.length()).trim().split(" ");
                } else if (line.startsWith(FAILURE)) {
                    failures.add(line.substring(FAILURE.length()));
                } else {
                    System.out.println(line);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || figures == null) {
            throw new IllegalStateException(sink.label + " at " + workload.payloadBytes() + " B failed in its JVM (exit "
                    + exit + "); its output is above");
        }
        return new CaseResult(Double.parseDouble(figures[0]), Double.parseDouble(figures[1]),
                new CheckpointStats(Long.parseLong(figures[2]), Long.parseLong(figures[3]),
                        Double.parseDouble(figures[4]), Long.parseLong(figures[5]), failures),
                new HeapAfterGc.Peak(Long.parseLong(figures[6]), Integer.parseInt(figures[7])));
    }

    /**
     * One case in this JVM: a warm-up of the case at a tenth of its records, uncounted, then the case, each with
     * every record read back and checked; its figures printed on one line for {@link #inOwnJvm}.
     */
    private static void runCase(BenchSink sink, Workload workload, Path dir) throws Exception {
        CaseResult result;
        try (MiniCluster cluster = startCluster();
                RestClusterClient<StandaloneClusterId> rest = restClient(cluster);
                HeapAfterGc heap = HeapAfterGc.listen()) {
            Workload small = new Workload(workload.payloadBytes(), Math.max(1, workload.records() / 10));
            Path warmUp = dir.resolveSibling(dir.getFileName() + "-warm-up");
            run(cluster, rest, heap, sink, small, warmUp);
            sink.check(warmUp, new RecordCheck(sink.label, small.records(), small.payloadBytes()));
            deleteRecursively(warmUp);
            result = run(cluster, rest, heap, sink, workload, dir);
            sink.check(dir, new RecordCheck(sink.label, workload.records(), workload.payloadBytes()));
            deleteRecursively(dir);
        }
        CheckpointStats checkpoints = result.checkpoints();
        System.out.println(String.format(Locale.ROOT, "%s %s %s %d %d %s %d %d %d", RESULT,
                result.recordsPerSecond(), result.cpuMicrosPerRecord(), checkpoints.completed(), checkpoints.failed(),
                checkpoints.p50Millis(), checkpoints.maxMillis(), result.heap().bytes(), result.heap().collections()));
        for (String failure : checkpoints.failures()) {
            System.out.println(FAILURE + failure.replace('\n', ' '));
        }
    }

    private static MiniCluster startCluster() throws Exception {
        Configuration config = new Configuration();
        config.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
        // Every checkpoint of a case in the history, so that every failed one's reason can be printed.
        config.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(config)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(PARALLELISM)
                .withRandomPorts()
                .build());
        cluster.start();
        return cluster;
    }

    private static RestClusterClient<StandaloneClusterId> restClient(MiniCluster cluster) throws Exception {
        Configuration config = new Configuration();
        config.set(RestOptions.ADDRESS, cluster.getRestAddress().get().getHost());
        config.set(RestOptions.PORT, cluster.getRestAddress().get().getPort());
        return new RestClusterClient<>(config, StandaloneClusterId.getInstance());
    }

    /** Runs the job into a new {@code sink} writing into {@code dir}; fails if the job fails. */
    private static CaseResult run(MiniCluster cluster, RestClusterClient<?> rest, HeapAfterGc heap, BenchSink sink,
            Workload workload, Path dir) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(CHECKPOINT_INTERVAL_MILLIS, CheckpointingMode.EXACTLY_ONCE);
        env.fromSequence(0, workload.records() - 1)
                .map(new BenchRecord.Generator(workload.payloadBytes()))
                .sinkTo(sink.create(dir)).uid("bench-sink");
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("sink bench: " + sink.label + ", " + workload.payloadBytes() + " B");
        JobGraph job = graph.getJobGraph();

        heap.start();
        long cpuStart = PROCESS.getProcessCpuTime();
        JobID id = cluster.submitJob(job).get().getJobID();
        JobResult result = cluster.requestJobResult(id).get();
        long cpuNanos = PROCESS.getProcessCpuTime() - cpuStart;
        HeapAfterGc.Peak peak = heap.stop();
        // Throws the job's failure, if it failed.
        result.toJobExecutionResult(SinkThroughputJob.class.getClassLoader());
        return new CaseResult(workload.records() * 1000.0 / result.getNetRuntime(),
                cpuNanos / 1000.0 / workload.records(), CheckpointStats.of(rest, id), peak);
    }

    private static void printTable(Workload workload, int rounds, Map<BenchSink, List<CaseResult>> results) {
        List<CaseResult> parquet = results.get(BenchSink.FILE_SINK_PARQUET);
        List<CaseResult> row = results.get(BenchSink.FILE_SINK_ROW);
        List<CaseResult> raw = results.get(BenchSink.RAW_FILE);
        System.out.printf("%n%,d B payload, %,d records; median of %d rounds (min-max); ratios to the FileSinks "
                        + "and to the raw synced file (what the disk allows) in the same round; checkpoint durations end "
                        + "to end, from Flink's statistics; heap: the most in use after a GC during the job%n%n",
                workload.payloadBytes(), workload.records(), rounds);
        System.out.println("| sink | records/s | x FileSink(Parquet) | x FileSink(row) | x raw file | CPU us/record "
                + "| checkpoint p50 (ms) | checkpoint max (ms) | checkpoints | heap after GC (MiB) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        results.forEach((sink, cases) -> System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                sink.label,
                spread(cases, CaseResult::recordsPerSecond, "%,.0f"),
                parquet == null ? "-" : spread(ratios(cases, parquet), r -> r, "%.2f"),
                row == null ? "-" : spread(ratios(cases, row), r -> r, "%.2f"),
                raw == null ? "-" : spread(ratios(cases, raw), r -> r, "%.2f"),
                spread(cases, CaseResult::cpuMicrosPerRecord, "%.2f"),
                spread(cases, c -> c.checkpoints().p50Millis(), "%,.0f"),
                spread(cases, c -> c.checkpoints().maxMillis(), "%,.0f"),
                spread(cases, c -> c.checkpoints().completed(), "%.0f"),
                spread(cases, c -> c.heap().collections() == 0 ? Double.NaN : c.heap().bytes() / 1048576.0,
                        "%,.0f")));
        List<CaseResult> checked = results.get(BenchSink.PERSIST_SINK);
        List<CaseResult> unchecked = results.get(BenchSink.PERSIST_SINK_NO_PAGE_CHECKSUMS);
        if (checked != null && unchecked != null) {
            System.out.printf("%nPage checksums: PersistSink at %s of its records/s without them, in the same "
                    + "round; %.3f over all rounds' runtime; %s of their CPU time per record%n",
                    spread(ratios(checked, unchecked), r -> r, "%.3f"),
                    seconds(unchecked, workload) / seconds(checked, workload),
                    spread(cpuRatios(checked, unchecked), r -> r, "%.3f"));
        }
    }

    /** The runtime of all rounds of a case, in seconds. */
    private static double seconds(List<CaseResult> cases, Workload workload) {
        return cases.stream().mapToDouble(c -> workload.records() / c.recordsPerSecond()).sum();
    }

    /** Each round's CPU time per record of {@code cases} over that of {@code baseline} in the same round. */
    private static List<Double> cpuRatios(List<CaseResult> cases, List<CaseResult> baseline) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            ratios.add(cases.get(i).cpuMicrosPerRecord() / baseline.get(i).cpuMicrosPerRecord());
        }
        return ratios;
    }

    /** Each round's records/s of {@code cases} over that of {@code baseline} in the same round. */
    private static List<Double> ratios(List<CaseResult> cases, List<CaseResult> baseline) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            ratios.add(cases.get(i).recordsPerSecond() / baseline.get(i).recordsPerSecond());
        }
        return ratios;
    }

    /** "median (min-max)" of a figure over rounds, or "-" where a round has none (no checkpoint, no GC). */
    private static <T> String spread(List<T> values, ToDoubleFunction<T> figure, String format) {
        List<Double> sorted = values.stream().map(figure::applyAsDouble).sorted().toList();
        if (sorted.stream().anyMatch(v -> v.isNaN())) {
            return "-";
        }
        int middle = sorted.size() / 2;
        double median = sorted.size() % 2 == 1
                ? sorted.get(middle)
                : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        String medianText = String.format(format, median);
        return sorted.size() == 1
                ? medianText
                : medianText + " (" + String.format(format, sorted.get(0)) + "-"
                        + String.format(format, sorted.get(sorted.size() - 1)) + ")";
    }

    private static String describe(CheckpointStats checkpoints) {
        return String.format("%d checkpoints, p50 %,.0f ms, max %,d ms, %d failed%s", checkpoints.completed(),
                checkpoints.p50Millis(), checkpoints.maxMillis(), checkpoints.failed(),
                checkpoints.failures().isEmpty() ? "" : " " + checkpoints.failures());
    }

    private static String describe(HeapAfterGc.Peak heap) {
        return heap.collections() == 0
                ? "no GC during the job"
                : String.format("heap after GC at most %,.0f MiB (%d GCs)", heap.bytes() / 1048576.0,
                        heap.collections());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
