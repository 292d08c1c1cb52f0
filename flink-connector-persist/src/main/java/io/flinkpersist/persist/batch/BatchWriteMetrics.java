package io.flinkpersist.persist.batch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the batch write path, shared by the builders of one writer (thread-safe). Plain values so
 * that an embedding framework (the Flink sink) can expose them in its own metric system.
 */
public final class BatchWriteMetrics {
    private final LongAdder parts = new LongAdder();
    private final LongAdder inlineParts = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder goodbytes = new LongAdder();
    private final LongAdder inlineBytes = new LongAdder();
    private final LongAdder stalls = new LongAdder();
    private final LongAdder consolidationNanos = new LongAdder();
    private final LongAdder encodeNanos = new LongAdder();
    private final LongAdder uploadNanos = new LongAdder();
    private final LongAdder statsNanos = new LongAdder();
    private final LongAdder statsTrimmedParts = new LongAdder();
    private final LongAdder statsTrimmedBytes = new LongAdder();
    private final LongAdder deletedParts = new LongAdder();

    /** Parts uploaded to blob. */
    public long parts() {
        return parts.sum();
    }

    /** Parts kept inline in batch metadata. */
    public long inlineParts() {
        return inlineParts.sum();
    }

    /** Encoded bytes uploaded. */
    public long bytes() {
        return bytes.sum();
    }

    /** Key, value, time and diff bytes of the uploaded parts (what the user wrote, after consolidation). */
    public long goodbytes() {
        return goodbytes.sum();
    }

    /** Goodbytes kept inline. */
    public long inlineBytes() {
        return inlineBytes.sum();
    }

    /** Times {@code add} had to wait for an unfinished upload because too many were in flight. */
    public long stalls() {
        return stalls.sum();
    }

    public long consolidationNanos() {
        return consolidationNanos.sum();
    }

    public long encodeNanos() {
        return encodeNanos.sum();
    }

    public long uploadNanos() {
        return uploadNanos.sum();
    }

    public long statsNanos() {
        return statsNanos.sum();
    }

    /** Parts whose stats were trimmed to fit the budget. */
    public long statsTrimmedParts() {
        return statsTrimmedParts.sum();
    }

    public long statsTrimmedBytes() {
        return statsTrimmedBytes.sum();
    }

    /** Blob parts deleted by {@link Batch#delete()}. */
    public long deletedParts() {
        return deletedParts.sum();
    }

    void recordUpload(long encodedBytes, long partGoodbytes, long encodeTimeNanos, long uploadTimeNanos) {
        parts.increment();
        bytes.add(encodedBytes);
        goodbytes.add(partGoodbytes);
        encodeNanos.add(encodeTimeNanos);
        uploadNanos.add(uploadTimeNanos);
    }

    void recordInline(long partGoodbytes) {
        inlineParts.increment();
        inlineBytes.add(partGoodbytes);
    }

    void recordStall() {
        stalls.increment();
    }

    void recordConsolidation(long nanos) {
        consolidationNanos.add(nanos);
    }

    void recordStats(long nanos, long trimmedBytes) {
        statsNanos.add(nanos);
        if (trimmedBytes > 0) {
            statsTrimmedParts.increment();
            statsTrimmedBytes.add(trimmedBytes);
        }
    }

    void recordDelete() {
        deletedParts.increment();
    }

    /** Every counter by name, for logging and for metric systems that poll. */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("parts", parts());
        values.put("inlineParts", inlineParts());
        values.put("bytes", bytes());
        values.put("goodbytes", goodbytes());
        values.put("inlineBytes", inlineBytes());
        values.put("stalls", stalls());
        values.put("consolidationNanos", consolidationNanos());
        values.put("encodeNanos", encodeNanos());
        values.put("uploadNanos", uploadNanos());
        values.put("statsNanos", statsNanos());
        values.put("statsTrimmedParts", statsTrimmedParts());
        values.put("statsTrimmedBytes", statsTrimmedBytes());
        values.put("deletedParts", deletedParts());
        return values;
    }

    @Override
    public String toString() {
        return "BatchWriteMetrics" + snapshot();
    }
}
