package io.flinkpersist.persist.batch;

import io.flinkpersist.persist.batch.part.BlobTraceBatchPart;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.InlinePartCodec;
import io.flinkpersist.persist.batch.part.ParquetPartCodec;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Turns the updates of one part into a {@link BatchPart} of one shard: inline in the metadata when they are
 * small, otherwise encoded as a Parquet file and uploaded to blob under a fresh key. Also deletes parts.
 *
 * <p>Blob calls go through the given {@link Blob}, which is expected to retry (see
 * {@link io.flinkpersist.persist.blob.RetryingBlob}); uploads and deletes run on the given executor.
 */
public final class PartWriter {
    private final ShardId shardId;
    private final Blob blob;
    private final BatchBuilderConfig config;
    private final Executor executor;
    private final BatchWriteMetrics metrics;

    public PartWriter(ShardId shardId, Blob blob, BatchBuilderConfig config, Executor executor, BatchWriteMetrics metrics) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.blob = Objects.requireNonNull(blob, "blob");
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** A writer of the same shard, blob, threads and metrics that writes with {@code other} settings. */
    public PartWriter withConfig(BatchBuilderConfig other) {
        return new PartWriter(shardId, blob, other, executor, metrics);
    }

    public ShardId shardId() {
        return shardId;
    }

    public BatchBuilderConfig config() {
        return config;
    }

    /** The blob the parts are written to. */
    public Blob blob() {
        return blob;
    }

    /** Where uploads, deletes and size checks run. */
    Executor executor() {
        return executor;
    }

    public BatchWriteMetrics metrics() {
        return metrics;
    }

    /** Whether updates of this many goodbytes stay inline (the threshold is exclusive). */
    boolean shouldInline(long goodbytes) {
        return goodbytes < config.inlineWritesSingleMaxBytes();
    }

    BatchPart writeInline(Description desc, long index, ColumnarRecords updates) {
        BatchPart part = BatchPart.inline(InlinePartCodec.encode(new BlobTraceBatchPart(desc, index, updates)));
        metrics.recordInline(updates.goodbytes());
        return part;
    }

    /**
     * Starts encoding and uploading a blob part in the background. The key lower must already be truncated;
     * a failure (after the blob's own retries) completes the future exceptionally.
     *
     * @param sortedByKey whether the updates are in ascending key order (consolidated), which spares the stats a scan
     *     for the key bounds
     */
    CompletableFuture<BatchPart> writeHollow(Description desc, long index, ColumnarRecords updates, byte[] keyLower,
            boolean sortedByKey, Frontier tsRewrite, PartId partId) {
        PartialBatchKey key = new PartialBatchKey(config.writerKey(), partId);
        return CompletableFuture.supplyAsync(() -> {
            byte[] stats = null;
            if (config.statsCollectionEnabled()) {
                long start = System.nanoTime();
                PartStats.Trimmed trimmed = PartStats.of(updates, config.keyLowerMaxBytes(), sortedByKey)
                        .trimToBudget(config.statsBudgetBytes(), config.untrimmableColumns());
                stats = trimmed.encoded();
                metrics.recordStats(System.nanoTime() - start, trimmed.trimmedBytes());
            }
            long encodeStart = System.nanoTime();
            byte[] encoded = ParquetPartCodec.encode(new BlobTraceBatchPart(desc, index, updates),
                    config.pageChecksums());
            long encodeNanos = System.nanoTime() - encodeStart;

            long uploadStart = System.nanoTime();
            blob.set(key.complete(shardId), encoded);
            metrics.recordUpload(encoded.length, updates.goodbytes(), encodeNanos, System.nanoTime() - uploadStart);

            BatchPart part = BatchPart.hollow(key, encoded.length, keyLower, diffsSum(updates), stats);
            return tsRewrite == null ? part : part.withTsRewrite(tsRewrite);
        }, executor);
    }

    /** The wrapping sum of the diffs, persist's {@code diffs_sum}. */
    static long diffsSum(ColumnarRecords updates) {
        long sum = 0;
        for (int i = 0; i < updates.len(); i++) {
            sum += updates.diff(i);
        }
        return sum;
    }

    /**
     * Deletes the blob parts among {@code parts}, concurrently, and waits. Idempotent: a part that is already
     * gone is fine. Inline parts need nothing.
     */
    void delete(Collection<BatchPart> parts) {
        List<CompletableFuture<Void>> deletes = new ArrayList<>();
        for (BatchPart part : parts) {
            if (part.isInline()) {
                continue;
            }
            String key = part.blobKey(shardId);
            deletes.add(CompletableFuture.runAsync(() -> {
                blob.delete(key);
                metrics.recordDelete();
            }, executor));
        }
        try {
            CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    /** Deletes one blob part of this shard if it exists; returns its size if it did. */
    public OptionalLong deleteIfPresent(PartialBatchKey key) {
        OptionalLong deleted = blob.delete(key.complete(shardId));
        if (deleted.isPresent()) {
            metrics.recordDelete();
        }
        return deleted;
    }

    static RuntimeException unwrap(CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return e;
    }
}
