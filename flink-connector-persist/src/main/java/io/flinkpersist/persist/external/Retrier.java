package io.flinkpersist.persist.external;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a call to an external store under a {@link RetryPolicy}. */
public final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;
    private final Sleeper sleeper;

    /** Sleeps between attempts; replaceable so tests need not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public Retrier(RetryPolicy policy) {
        this(policy, d -> Thread.sleep(d.toMillis()));
    }

    public Retrier(RetryPolicy policy, Sleeper sleeper) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    public RetryPolicy policy() {
        return policy;
    }

    /**
     * Runs an idempotent call, retrying every {@link ExternalException}: repeating it is safe whether or
     * not an earlier attempt took effect.
     */
    public <T> T idempotent(String operation, Supplier<T> call) {
        return run(operation, call, e -> true);
    }

    /**
     * Runs a call that must not be repeated blindly: only determinate failures are retried, and the first
     * indeterminate one is thrown for the caller to resolve by reading the store.
     */
    public <T> T nonIdempotent(String operation, Supplier<T> call) {
        return run(operation, call, ExternalException::isDeterminate);
    }

    private <T> T run(String operation, Supplier<T> call, Predicate<ExternalException> retryable) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ExternalException e) {
                if (!retryable.test(e) || attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration backoff = policy.jitteredBackoff(attempt);
                LOG.debug("{} failed (attempt {} of {}), retrying in {}: {}",
                        operation, attempt, policy.maxAttempts(), backoff, e.getMessage());
                try {
                    sleeper.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(interrupted);
                    throw e;
                }
            }
        }
    }
}
