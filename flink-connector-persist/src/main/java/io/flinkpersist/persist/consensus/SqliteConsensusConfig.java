package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.external.RetryPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link SqliteConsensus} uses its file.
 *
 * @param maxPoolSize the most connections open at once; readers run beside the one writer SQLite allows
 * @param busyTimeout how long a statement waits for another connection's write lock before failing with
 *     SQLITE_BUSY, which is then retried under {@code retryPolicy}
 * @param retryPolicy how failed calls are retried
 */
public record SqliteConsensusConfig(int maxPoolSize, Duration busyTimeout, RetryPolicy retryPolicy) {
    /** 4 connections, 5 s busy timeout, {@link RetryPolicy#DEFAULT}. */
    public static final SqliteConsensusConfig DEFAULT =
            new SqliteConsensusConfig(4, Duration.ofSeconds(5), RetryPolicy.DEFAULT);

    public SqliteConsensusConfig {
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
        }
        if (busyTimeout.isNegative()) {
            throw new IllegalArgumentException("busyTimeout must not be negative, was " + busyTimeout);
        }
    }

    public SqliteConsensusConfig withMaxPoolSize(int maxPoolSize) {
        return new SqliteConsensusConfig(maxPoolSize, busyTimeout, retryPolicy);
    }

    public SqliteConsensusConfig withBusyTimeout(Duration busyTimeout) {
        return new SqliteConsensusConfig(maxPoolSize, busyTimeout, retryPolicy);
    }

    public SqliteConsensusConfig withRetryPolicy(RetryPolicy retryPolicy) {
        return new SqliteConsensusConfig(maxPoolSize, busyTimeout, retryPolicy);
    }
}
