package io.flinkpersist.persist.state;

import java.time.Duration;

/**
 * How a shard's state versions are kept: a rollup every {@code rollupThreshold} versions, and how long an
 * assigned rollup may take before another transition is assigned it.
 */
public record StateSettings(int rollupThreshold, long rollupFallbackMs) {
    /** Persist's {@code persist_rollup_threshold}. */
    public static final int DEFAULT_ROLLUP_THRESHOLD = 128;
    /** Persist's {@code persist_rollup_fallback_threshold_ms}. */
    public static final Duration DEFAULT_ROLLUP_FALLBACK = Duration.ofSeconds(5);
    public static final StateSettings DEFAULT = new StateSettings(DEFAULT_ROLLUP_THRESHOLD,
            DEFAULT_ROLLUP_FALLBACK.toMillis());

    public StateSettings {
        if (rollupThreshold < 1) {
            throw new IllegalArgumentException("the rollup threshold must be at least 1 version, was " + rollupThreshold);
        }
        if (rollupFallbackMs < 0) {
            throw new IllegalArgumentException("the rollup fallback must not be negative, was " + rollupFallbackMs + " ms");
        }
    }
}
