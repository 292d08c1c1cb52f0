package io.flinkpersist.persist.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final Retrier retrier = new Retrier(
            new RetryPolicy(5, Duration.ofMillis(100), 2.0, Duration.ofMillis(300)), sleeps::add);

    @Test
    void idempotentCallsRetryEveryExternalFailureUntilTheySucceed() {
        AtomicInteger calls = new AtomicInteger();
        String result = retrier.idempotent("op", () -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                throw ExternalException.indeterminate("timeout", null);
            }
            if (n == 2) {
                throw ExternalException.determinate("refused", null);
            }
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void nonIdempotentCallsSurfaceTheFirstIndeterminateFailure() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.nonIdempotent("cas", () -> {
                    if (calls.incrementAndGet() == 1) {
                        throw ExternalException.determinate("busy", null);
                    }
                    throw ExternalException.indeterminate("connection reset after send", null);
                }))
                .isInstanceOf(ExternalException.class)
                .satisfies(e -> assertThat(((ExternalException) e).determinacy()).isEqualTo(Determinacy.INDETERMINATE))
                .hasMessageContaining("[indeterminate] connection reset after send");
        assertThat(calls).hasValue(2);
    }

    @Test
    void attemptsAreBoundedAndTheLastFailureIsThrown() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.idempotent("op", () -> {
                    throw ExternalException.determinate("down " + calls.incrementAndGet(), null);
                }))
                .hasMessageContaining("down 5");
        assertThat(calls).hasValue(5);
        assertThat(sleeps).hasSize(4);
    }

    @Test
    void otherExceptionsAreNeverRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.idempotent("op", () -> {
                    calls.incrementAndGet();
                    throw new IllegalArgumentException("bad key");
                }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCapWithJitterBelowIt() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), 2.0, Duration.ofMillis(300));
        assertThat(policy.backoffCeiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoffCeiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.backoffCeiling(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(policy.backoffCeiling(30)).isEqualTo(Duration.ofMillis(300));
        for (int i = 0; i < 1000; i++) {
            assertThat(policy.jitteredBackoff(2)).isBetween(Duration.ZERO, Duration.ofMillis(200));
        }
    }

    @Test
    void invalidPoliciesNameTheBadValue() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, 2, Duration.ZERO))
                .hasMessageContaining("maxAttempts must be at least 1, was 0");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofMillis(-1), 2, Duration.ZERO))
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, 0.5, Duration.ZERO))
                .hasMessageContaining("multiplier must be at least 1.0, was 0.5");
    }
}
