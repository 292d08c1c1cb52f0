package io.flinkpersist.persist.blob;

import io.flinkpersist.persist.external.Retrier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Retries every call of a {@link Blob} under a {@link Retrier}. All blob operations are idempotent (a
 * repeated {@code set} of the same bytes is a no-op), so even indeterminate failures are retried.
 */
public final class RetryingBlob implements Blob {
    private final Blob delegate;
    private final Retrier retrier;

    public RetryingBlob(Blob delegate, Retrier retrier) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.retrier = Objects.requireNonNull(retrier, "retrier");
    }

    @Override
    public Optional<byte[]> get(String key) {
        return retrier.idempotent("blob get " + key, () -> delegate.get(key));
    }

    @Override
    public OptionalLong size(String key) {
        return retrier.idempotent("blob size " + key, () -> delegate.size(key));
    }

    @Override
    public void set(String key, byte[] value) {
        retrier.idempotent("blob set " + key, () -> {
            delegate.set(key, value);
            return null;
        });
    }

    @Override
    public OptionalLong delete(String key) {
        return retrier.idempotent("blob delete " + key, () -> delegate.delete(key));
    }

    @Override
    public void list(String prefix, BlobEntryConsumer consumer) {
        // Buffer each attempt so that a failed attempt half-way through never reaches the consumer twice.
        List<Map.Entry<String, Long>> listed = retrier.idempotent("blob list " + prefix, () -> {
            List<Map.Entry<String, Long>> attempt = new ArrayList<>();
            delegate.list(prefix, (key, size) -> attempt.add(Map.entry(key, size)));
            return attempt;
        });
        listed.forEach(e -> consumer.accept(e.getKey(), e.getValue()));
    }

    @Override
    public void listWithTimes(String prefix, TimedBlobEntryConsumer consumer) {
        List<TimedEntry> listed = retrier.idempotent("blob list " + prefix, () -> {
            List<TimedEntry> attempt = new ArrayList<>();
            delegate.listWithTimes(prefix, (key, size, modified) -> attempt.add(new TimedEntry(key, size, modified)));
            return attempt;
        });
        listed.forEach(e -> consumer.accept(e.key(), e.size(), e.modifiedMs()));
    }

    private record TimedEntry(String key, long size, long modifiedMs) {}

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
