package io.flinkpersist.e2e.bench;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.maintenance.CompactionOutcome;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One merge of the committer's compaction, as the sink benchmark's shards need them: two commits of two writers'
 * batches (four sorted runs of 8-byte keys drawn at random and a payload value, 16 MiB each, in 8 MiB parts) on an
 * in-memory blob, merged into one run. Scores are merges per second; each merges 64 MiB of records, so a score of N
 * is 64·N MiB/s. The baseline copies the same key and value bytes once ({@code System.arraycopy}) in the same run:
 * the ratio is what reading, merging, encoding and writing the parts cost over the copy any rewrite must make. The
 * ratio of {@code pageChecksums=true} to {@code false} is what verifying and writing page checksums cost a merge.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CompactionBenchmark {
    private static final Codecs CODECS = Codecs.of("bytes", "bytes");
    private static final int RUN_BYTES = 16 << 20;
    private static final int RUNS = 4;

    @Param({"100", "1000"})
    int payloadBytes;

    /** Whether the parts carry page checksums, which the merge verifies when it reads and adds when it writes. */
    @Param({"true", "false"})
    boolean pageChecksums;

    private byte[][] keys;
    private byte[][] values;
    private byte[] copyTarget;

    @Setup(Level.Trial)
    public void generate() {
        int records = RUNS * RUN_BYTES / (8 + payloadBytes);
        Random random = new Random(42);
        keys = new byte[records][];
        values = new byte[records][];
        for (int i = 0; i < records; i++) {
            keys[i] = ByteBuffer.allocate(Long.BYTES).putLong(random.nextLong()).array();
            values[i] = new byte[payloadBytes];
            random.nextBytes(values[i]);
        }
        copyTarget = new byte[RUNS * RUN_BYTES];
    }

    /** A new shard for each merge: the four runs in two batches, as two commits of a two-writer sink leave them. */
    @State(Scope.Thread)
    public static class Shard {
        private PersistClient client;
        private ShardMaintenance maintenance;

        @Setup(Level.Invocation)
        public void write(CompactionBenchmark records) {
            client = PersistClient.open(PersistLocation.parse("mem://bench", "mem://bench"), PersistConfig.builder()
                    .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(8 << 20)
                            .pageChecksums(records.pageChecksums).build())
                    .build(), new MemBlob(), new MemConsensus());
            ShardId shard = ShardId.random();
            int perRun = records.keys.length / RUNS;
            try (WriteHandle committer = client.openWriter(shard, CODECS)) {
                for (int commit = 0; commit < RUNS / 2; commit++) {
                    List<Batch> batches = new ArrayList<>();
                    for (int writer = 0; writer < 2; writer++) {
                        BatchBuilder builder = committer.builder(Frontier.of(commit));
                        int first = (2 * commit + writer) * perRun;
                        for (int i = first; i < first + perRun; i++) {
                            builder.add(records.keys[i], records.values[i], commit, 1);
                        }
                        batches.add(builder.finish(Frontier.of(commit + 1)));
                    }
                    AppendResult result = committer.compareAndAppend(batches, Frontier.of(commit),
                            Frontier.of(commit + 1));
                    if (!(result instanceof AppendResult.Committed)) {
                        throw new IllegalStateException("the benchmark's shard did not take commit " + commit + ": "
                                + result);
                    }
                }
            }
            maintenance = client.openMaintenance(shard, CODECS);
        }

        @TearDown(Level.Invocation)
        public void close() {
            client.close();
        }
    }

    /** Merges the four runs into one: 64 MiB of records read, merged, encoded and written. */
    @Benchmark
    public long merge(Shard shard) {
        List<CompactionOutcome> outcomes = shard.maintenance.compact(1);
        if (outcomes.size() != 1 || !outcomes.get(0).applied()) {
            throw new IllegalStateException("expected one applied merge, got " + outcomes);
        }
        return outcomes.get(0).outputUpdates();
    }

    /** The same bytes, copied once: the floor of any rewrite of them. */
    @Benchmark
    public long arraycopyBaseline() {
        int offset = 0;
        for (int i = 0; i < keys.length; i++) {
            System.arraycopy(keys[i], 0, copyTarget, offset, keys[i].length);
            offset += keys[i].length;
            System.arraycopy(values[i], 0, copyTarget, offset, values[i].length);
            offset += values[i].length;
        }
        return offset;
    }
}
