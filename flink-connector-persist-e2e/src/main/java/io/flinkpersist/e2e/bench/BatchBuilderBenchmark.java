package io.flinkpersist.e2e.bench;

import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchWriteMetrics;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.time.Frontier;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * {@code add → finish} throughput of the batch builder against an in-memory blob, with a baseline that
 * only copies the same key and value bytes once ({@code System.arraycopy}) in the same run. Scores are
 * invocations per second; the ratio to the baseline is the cost of buffering, consolidating, encoding Parquet
 * and uploading; the ratio of {@code addAndFinish} to {@code addAndFinishWithoutPageChecksums} is what page
 * checksums cost. Each invocation handles 16 MiB of records, so a score of N ops/s is 16·N MiB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BatchBuilderBenchmark {
    /** 16 MiB of record bytes per invocation, cut into parts of 4 MiB. */
    private static final int BYTES_PER_INVOCATION = 16 << 20;

    @Param({"64", "1024"})
    int recordBytes;

    @Param({"true", "false"})
    boolean consolidate;

    private byte[][] keys;
    private byte[][] values;
    private long[] times;
    private byte[] copyTarget;
    private ExecutorService executor;
    private BatchBuilderConfig config;
    private BatchBuilderConfig withoutPageChecksums;

    @Setup(Level.Trial)
    public void setUp() {
        int records = BYTES_PER_INVOCATION / recordBytes;
        Random random = new Random(42);
        keys = new byte[records][];
        values = new byte[records][];
        times = new long[records];
        // Half key, half value; keys repeat a little so consolidation has work to do.
        int keyLength = recordBytes / 2 - 8;
        for (int i = 0; i < records; i++) {
            keys[i] = new byte[keyLength];
            random.nextBytes(keys[i]);
            if (i > 0 && random.nextInt(10) == 0) {
                keys[i] = keys[random.nextInt(i)];
            }
            values[i] = new byte[recordBytes / 2 - 8];
            random.nextBytes(values[i]);
            times[i] = random.nextInt(1000);
        }
        copyTarget = new byte[BYTES_PER_INVOCATION];
        executor = Executors.newFixedThreadPool(2);
        config = BatchBuilderConfig.builder()
                .blobTargetSizeBytes(4 << 20)
                .consolidate(consolidate)
                .build();
        withoutPageChecksums = config.toBuilder().pageChecksums(false).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        executor.shutdownNow();
    }

    private int records() {
        return keys.length;
    }

    /** One invocation writes all 16 MiB of records: records/s = score × 16 MiB / recordBytes. */
    @Benchmark
    public long addAndFinish() {
        return addAndFinish(config);
    }

    /** The same without page checksums: its ratio to {@link #addAndFinish()} is what the checksums cost. */
    @Benchmark
    public long addAndFinishWithoutPageChecksums() {
        return addAndFinish(withoutPageChecksums);
    }

    private long addAndFinish(BatchBuilderConfig config) {
        PartWriter writer = new PartWriter(ShardId.random(), new MemBlob(), config, executor, new BatchWriteMetrics());
        BatchBuilder builder = new BatchBuilder(writer, BuildVersion.current(), Frontier.MINIMUM, Frontier.MINIMUM,
                PartIdSequence.random());
        for (int i = 0; i < records(); i++) {
            builder.add(keys[i], values[i], times[i], 1);
        }
        HollowBatch batch = builder.finish(Frontier.of(1000)).intoHollowBatch();
        return batch.len();
    }

    /** The same bytes, copied once: the floor that any writer of them must pay. */
    @Benchmark
    public long arraycopyBaseline() {
        int offset = 0;
        for (int i = 0; i < records(); i++) {
            System.arraycopy(keys[i], 0, copyTarget, offset, keys[i].length);
            offset += keys[i].length;
            System.arraycopy(values[i], 0, copyTarget, offset, values[i].length);
            offset += values[i].length;
        }
        return offset;
    }
}
