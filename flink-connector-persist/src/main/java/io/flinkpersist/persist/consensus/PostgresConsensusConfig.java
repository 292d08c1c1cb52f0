package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.external.RetryPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link PostgresConsensus} talks to its database.
 *
 * @param maxPoolSize the most connections held open at once
 * @param connectionTimeout how long a call waits for a connection, including connecting (at least 250 ms,
 *     the pool's minimum)
 * @param statementTimeout how long one statement may run before it is cancelled; JDBC counts whole seconds,
 *     so it is rounded up to at least one second
 * @param retryPolicy how failed calls are retried
 */
public record PostgresConsensusConfig(
        int maxPoolSize, Duration connectionTimeout, Duration statementTimeout, RetryPolicy retryPolicy) {
    /** Declared before {@link #DEFAULT}, whose construction checks against it. */
    private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    /** 10 connections, 10 s to get one, 30 s per statement, {@link RetryPolicy#DEFAULT}. */
    public static final PostgresConsensusConfig DEFAULT =
            new PostgresConsensusConfig(10, Duration.ofSeconds(10), Duration.ofSeconds(30), RetryPolicy.DEFAULT);

    public PostgresConsensusConfig {
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(statementTimeout, "statementTimeout");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
        }
        if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException(
                    "connectionTimeout must be at least " + MIN_CONNECTION_TIMEOUT + ", was " + connectionTimeout);
        }
        if (statementTimeout.isNegative() || statementTimeout.isZero()) {
            throw new IllegalArgumentException("statementTimeout must be positive, was " + statementTimeout);
        }
    }

    public PostgresConsensusConfig withMaxPoolSize(int maxPoolSize) {
        return new PostgresConsensusConfig(maxPoolSize, connectionTimeout, statementTimeout, retryPolicy);
    }

    public PostgresConsensusConfig withConnectionTimeout(Duration connectionTimeout) {
        return new PostgresConsensusConfig(maxPoolSize, connectionTimeout, statementTimeout, retryPolicy);
    }

    public PostgresConsensusConfig withStatementTimeout(Duration statementTimeout) {
        return new PostgresConsensusConfig(maxPoolSize, connectionTimeout, statementTimeout, retryPolicy);
    }

    public PostgresConsensusConfig withRetryPolicy(RetryPolicy retryPolicy) {
        return new PostgresConsensusConfig(maxPoolSize, connectionTimeout, statementTimeout, retryPolicy);
    }

    /** The statement timeout in the whole seconds JDBC takes, rounded up. */
    int statementTimeoutSeconds() {
        long seconds = statementTimeout.toSeconds() + (statementTimeout.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, seconds);
    }
}
