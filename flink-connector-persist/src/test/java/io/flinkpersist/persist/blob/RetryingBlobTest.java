package io.flinkpersist.persist.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.external.Retrier;
import io.flinkpersist.persist.external.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RetryingBlobTest {
    /** Fails every other call, after (for set) having really written: the ambiguous case. */
    private static final class AmbiguousBlob implements Blob {
        final MemBlob store = new MemBlob();
        int calls;

        private void maybeFailAfter(Runnable effect) {
            effect.run();
            if (calls++ % 2 == 0) {
                throw ExternalException.indeterminate("connection reset after the request was sent", null);
            }
        }

        @Override
        public Optional<byte[]> get(String key) {
            Optional<byte[]>[] result = new Optional[1];
            maybeFailAfter(() -> result[0] = store.get(key));
            return result[0];
        }

        @Override
        public OptionalLong size(String key) {
            OptionalLong[] result = new OptionalLong[1];
            maybeFailAfter(() -> result[0] = store.size(key));
            return result[0];
        }

        @Override
        public void set(String key, byte[] value) {
            maybeFailAfter(() -> store.set(key, value));
        }

        @Override
        public OptionalLong delete(String key) {
            OptionalLong[] result = new OptionalLong[1];
            maybeFailAfter(() -> result[0] = store.delete(key));
            return result[0];
        }

        @Override
        public void list(String prefix, BlobEntryConsumer consumer) {
            // Delivers entries, then fails: a retry must not deliver them twice.
            maybeFailAfter(() -> store.list(prefix, consumer));
        }

        @Override
        public void listWithTimes(String prefix, TimedBlobEntryConsumer consumer) {
            maybeFailAfter(() -> store.listWithTimes(prefix, consumer));
        }

        @Override
        public void close() {}
    }

    private final AmbiguousBlob flaky = new AmbiguousBlob();
    private final Blob blob = new RetryingBlob(flaky,
            new Retrier(new RetryPolicy(3, Duration.ofMillis(1), 2.0, Duration.ofMillis(1))));

    @Test
    void aSetThatSucceededBeforeAnAmbiguousFailureIsRetriedToSuccess() {
        blob.set("s/a", new byte[] {1});
        assertThat(flaky.store.get("s/a")).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
        assertThat(flaky.calls).isEqualTo(2);
    }

    @Test
    void listDeliversEachKeyOnceDespiteAFailedAttempt() {
        flaky.store.set("s/a", new byte[] {1});
        flaky.store.set("s/b", new byte[] {1, 2});
        List<String> seen = new ArrayList<>();
        blob.list("s/", (key, size) -> seen.add(key + ":" + size));
        assertThat(seen).containsExactly("s/a:1", "s/b:2");
    }

    @Test
    void deleteAfterAnAmbiguousFailureStillSucceeds() {
        flaky.store.set("s/a", new byte[] {1, 2, 3});
        // The first attempt deleted and then failed; the retry finds nothing, which is still success.
        assertThat(blob.delete("s/a")).isEmpty();
        assertThat(flaky.store.get("s/a")).isEmpty();
    }
}
