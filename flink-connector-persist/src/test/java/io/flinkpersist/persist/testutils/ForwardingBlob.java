package io.flinkpersist.persist.testutils;

import io.flinkpersist.persist.blob.Blob;
import java.util.Optional;
import java.util.OptionalLong;

/** A blob that passes every call to another; tests override the calls they slow down or fail. */
public class ForwardingBlob implements Blob {
    protected final Blob delegate;

    public ForwardingBlob(Blob delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<byte[]> get(String key) {
        return delegate.get(key);
    }

    @Override
    public OptionalLong size(String key) {
        return delegate.size(key);
    }

    @Override
    public void set(String key, byte[] value) {
        delegate.set(key, value);
    }

    @Override
    public OptionalLong delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public void list(String prefix, BlobEntryConsumer consumer) {
        delegate.list(prefix, consumer);
    }

    @Override
    public void listWithTimes(String prefix, TimedBlobEntryConsumer consumer) {
        delegate.listWithTimes(prefix, consumer);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
