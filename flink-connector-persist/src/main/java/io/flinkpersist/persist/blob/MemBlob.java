package io.flinkpersist.persist.blob;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An in-memory {@link Blob} for unit tests. Instances opened by name ({@code mem://name}) are shared
 * within the JVM so that several clients see the same store.
 */
public final class MemBlob implements Blob {
    private static final Map<String, MemBlob> NAMED = new ConcurrentHashMap<>();

    private final ConcurrentSkipListMap<String, byte[]> entries = new ConcurrentSkipListMap<>();
    private final Map<String, Long> modified = new ConcurrentHashMap<>();

    /** The JVM-wide instance with this name, created empty on first use. */
    public static MemBlob named(String name) {
        return NAMED.computeIfAbsent(name, n -> new MemBlob());
    }

    @Override
    public Optional<byte[]> get(String key) {
        byte[] value = entries.get(BlobKeyRules.checkKey(key));
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    @Override
    public OptionalLong size(String key) {
        byte[] value = entries.get(BlobKeyRules.checkKey(key));
        return value == null ? OptionalLong.empty() : OptionalLong.of(value.length);
    }

    @Override
    public void set(String key, byte[] value) {
        byte[] copy = value.clone();
        byte[] existing = entries.putIfAbsent(BlobKeyRules.checkKey(key), copy);
        if (existing != null && !Arrays.equals(existing, copy)) {
            throw new BlobAlreadyExistsException(key);
        }
        if (existing == null) {
            modified.put(key, System.currentTimeMillis());
        }
    }

    @Override
    public OptionalLong delete(String key) {
        byte[] removed = entries.remove(BlobKeyRules.checkKey(key));
        modified.remove(key);
        return removed == null ? OptionalLong.empty() : OptionalLong.of(removed.length);
    }

    @Override
    public void list(String prefix, BlobEntryConsumer consumer) {
        BlobKeyRules.checkPrefix(prefix);
        for (Map.Entry<String, byte[]> e : entries.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            consumer.accept(e.getKey(), e.getValue().length);
        }
    }

    @Override
    public void listWithTimes(String prefix, TimedBlobEntryConsumer consumer) {
        list(prefix, (key, size) -> consumer.accept(key, size, modified.getOrDefault(key, 0L)));
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return "MemBlob{" + entries.size() + " keys}";
    }
}
