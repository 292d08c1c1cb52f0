package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.ids.SeqNo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An in-memory {@link Consensus} for tests; instances opened by name are shared within the JVM. One lock guards everything: simple, and trivially linearizable.
 *
 * <p>Data is copied in and out, as a real store would, so a caller mutating its array cannot change a version.
 */
public final class MemConsensus implements Consensus {
    private static final Map<String, MemConsensus> NAMED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, NavigableMap<Long, byte[]>> versionsByKey = new HashMap<>();

    /** The JVM-wide instance with this name ({@code mem://name}), created empty on first use. */
    public static MemConsensus named(String name) {
        return NAMED.computeIfAbsent(name, n -> new MemConsensus());
    }

    @Override
    public synchronized Optional<VersionedData> head(String key) {
        Objects.requireNonNull(key, "key");
        NavigableMap<Long, byte[]> versions = versionsByKey.get(key);
        return versions == null ? Optional.empty() : Optional.of(copyOf(versions.lastEntry()));
    }

    @Override
    public synchronized CasResult compareAndSet(String key, Optional<SeqNo> expected, VersionedData next) {
        ConsensusArguments.requireSuccessor(key, expected, next);
        NavigableMap<Long, byte[]> versions = versionsByKey.get(key);
        Optional<SeqNo> current = versions == null ? Optional.empty() : Optional.of(SeqNo.of(versions.lastKey()));
        if (!current.equals(expected)) {
            return CasResult.EXPECTATION_MISMATCH;
        }
        versionsByKey.computeIfAbsent(key, k -> new TreeMap<>()).put(next.seqNo().value(), next.data().clone());
        return CasResult.COMMITTED;
    }

    @Override
    public synchronized List<VersionedData> scan(String key, SeqNo from, int limit) {
        ConsensusArguments.requireScan(key, from, limit);
        NavigableMap<Long, byte[]> versions = versionsByKey.get(key);
        if (versions == null) {
            return List.of();
        }
        return versions.tailMap(from.value(), true).entrySet().stream()
                .limit(limit)
                .map(MemConsensus::copyOf)
                .toList();
    }

    @Override
    public synchronized long truncate(String key, SeqNo seqNo) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(seqNo, "seqNo");
        NavigableMap<Long, byte[]> versions = versionsByKey.get(key);
        if (versions == null || versions.lastKey() < seqNo.value()) {
            throw ConsensusArguments.truncatePastHead(
                    key, seqNo, versions == null ? Optional.empty() : Optional.of(SeqNo.of(versions.lastKey())));
        }
        Map<Long, byte[]> below = versions.headMap(seqNo.value(), false);
        long deleted = below.size();
        below.clear();
        return deleted;
    }

    @Override
    public synchronized List<String> listKeys() {
        return versionsByKey.keySet().stream().sorted().toList();
    }

    /** Nothing to release. */
    @Override
    public void close() {}

    private static VersionedData copyOf(Map.Entry<Long, byte[]> version) {
        return new VersionedData(SeqNo.of(version.getKey()), version.getValue().clone());
    }
}
