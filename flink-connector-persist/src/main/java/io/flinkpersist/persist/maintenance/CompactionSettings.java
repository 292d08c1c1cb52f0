package io.flinkpersist.persist.maintenance;

import java.time.Duration;

/**
 * How a shard's maintenance compacts it and how much history it keeps.
 *
 * @param minInputs a merge runs once it has this many batches (persist's
 *     {@code persist_compaction_heuristic_min_inputs}, 8)
 * @param minParts or this many parts (persist's {@code …_min_parts}, 8)
 * @param minUpdates or this many updates (persist's {@code …_min_updates}, 1024)
 * @param memoryBoundBytes how many bytes of parts one merge holds at once: runs beyond that are merged in several
 *     passes (persist's {@code persist_compaction_memory_bound_bytes} is 1 GiB; see {@link #DEFAULT_MEMORY_BOUND})
 * @param historyRetentionMs how far behind the shard's upper its since is kept, in the shard's time unit (the
 *     milliseconds of the sink's commit times): a snapshot may read that far back, compaction consolidates
 *     everything older
 */
public record CompactionSettings(int minInputs, int minParts, long minUpdates, long memoryBoundBytes,
        long historyRetentionMs) {
    public static final int DEFAULT_MIN_INPUTS = 8;
    public static final int DEFAULT_MIN_PARTS = 8;
    public static final long DEFAULT_MIN_UPDATES = 1024;
    /**
     * 512 MiB, four times persist's default blob target size: lower than persist's 1 GiB because the compactor
     * shares a Flink task manager's heap with the job.
     */
    public static final long DEFAULT_MEMORY_BOUND = 512L * 1024 * 1024;
    /** An hour of time travel, as Paimon's default snapshot retention. */
    public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofHours(1);

    public CompactionSettings {
        if (minInputs < 2) {
            throw new IllegalArgumentException("a merge needs at least 2 inputs, was " + minInputs);
        }
        if (minParts < 1 || minUpdates < 1) {
            throw new IllegalArgumentException("the part and update thresholds must be at least 1, were " + minParts
                    + " and " + minUpdates);
        }
        if (memoryBoundBytes < 1) {
            throw new IllegalArgumentException("the compaction memory bound must be positive, was " + memoryBoundBytes);
        }
        if (historyRetentionMs < 0) {
            throw new IllegalArgumentException("the history retention must not be negative, was " + historyRetentionMs);
        }
    }

    public static CompactionSettings defaults() {
        return new CompactionSettings(DEFAULT_MIN_INPUTS, DEFAULT_MIN_PARTS, DEFAULT_MIN_UPDATES, DEFAULT_MEMORY_BOUND,
                DEFAULT_HISTORY_RETENTION.toMillis());
    }

    public CompactionSettings withMemoryBound(long bytes) {
        return new CompactionSettings(minInputs, minParts, minUpdates, bytes, historyRetentionMs);
    }

    public CompactionSettings withHistoryRetention(Duration retention) {
        return new CompactionSettings(minInputs, minParts, minUpdates, memoryBoundBytes, retention.toMillis());
    }

    /** With the thresholds below which a merge waits for more inputs. */
    public CompactionSettings withThresholds(int inputs, int parts, long updates) {
        return new CompactionSettings(inputs, parts, updates, memoryBoundBytes, historyRetentionMs);
    }
}
