package io.flinkpersist.persist.blob;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A durable key-to-bytes store for persist's immutable parts and rollups.
 *
 * <p>Keys are written once and never modified: {@link #set} is atomic (a reader sees all of the value or
 * nothing) and create-only. Keys are {@code /}-separated relative paths checked by {@link BlobKeyRules}.
 * Every method may throw {@link io.flinkpersist.persist.external.ExternalException}.
 */
public interface Blob extends AutoCloseable {
    /** The value of a key, or empty if it does not exist. */
    Optional<byte[]> get(String key);

    /**
     * The length of a key's value, or empty if it does not exist, without reading the value (a metadata request:
     * an S3 HEAD, a file status): what checks that a part is there and whole cost per part.
     */
    OptionalLong size(String key);

    /**
     * Atomically creates {@code key} with {@code value}.
     *
     * <p>Setting a key that already holds exactly {@code value} is a no-op, so a retry after an ambiguous
     * failure is safe. Setting it to anything else throws {@link BlobAlreadyExistsException} and leaves the
     * stored value untouched.
     */
    void set(String key, byte[] value);

    /** Deletes a key; returns its size if it existed. Deleting a missing key is not an error. */
    OptionalLong delete(String key);

    /** Calls {@code consumer} once for every key that starts with {@code prefix} ("" lists everything). */
    void list(String prefix, BlobEntryConsumer consumer);

    /**
     * Like {@link #list}, with each key's last modification time as the store reports it (milliseconds since the
     * epoch): how old a blob is, for sweeps that must not touch what a writer may still reference.
     */
    void listWithTimes(String prefix, TimedBlobEntryConsumer consumer);

    @Override
    void close();

    /** Receives one listed key and its size in bytes. */
    @FunctionalInterface
    interface BlobEntryConsumer {
        void accept(String key, long sizeBytes);
    }

    /** Receives one listed key, its size in bytes and when it was last modified. */
    @FunctionalInterface
    interface TimedBlobEntryConsumer {
        void accept(String key, long sizeBytes, long lastModifiedMs);
    }
}
