package io.flinkpersist.persist.external;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded exponential backoff with full jitter, in the spirit of persist's {@code RetryParameters}.
 *
 * <p>Attempt {@code n} (1-based) sleeps a random duration in {@code [0, min(maxBackoff, initial * multiplier^(n-1))]}
 * before attempt {@code n + 1}; jitter keeps many writers that failed together from retrying together.
 */
public final class RetryPolicy {
    /** 8 attempts, 50 ms doubling to at most 5 s: about 15 s in the worst case. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofMillis(50), 2.0, Duration.ofSeconds(5));
    /** A single attempt: for tests and for callers that retry at a higher level. */
    public static final RetryPolicy NO_RETRIES = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO);

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double multiplier;
    private final Duration maxBackoff;

    public RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException(
                    "backoffs must not be negative, were " + initialBackoff + " and " + maxBackoff);
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("multiplier must be at least 1.0, was " + multiplier);
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.multiplier = multiplier;
        this.maxBackoff = maxBackoff;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public double multiplier() {
        return multiplier;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** The upper bound of the sleep after the given failed attempt (1-based), before jitter. */
    public Duration backoffCeiling(int failedAttempt) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }

    /** A jittered sleep in {@code [0, backoffCeiling(failedAttempt)]}. */
    public Duration jitteredBackoff(int failedAttempt) {
        long ceiling = backoffCeiling(failedAttempt).toMillis();
        return Duration.ofMillis(ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
                + ", multiplier=" + multiplier + ", maxBackoff=" + maxBackoff + "}";
    }
}
