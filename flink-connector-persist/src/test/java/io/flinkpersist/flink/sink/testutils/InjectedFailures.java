package io.flinkpersist.flink.sink.testutils;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which shards' jobs have had their injected failure, so that a test's source can keep the failing attempt
 * alive until it has (a bounded job on a loaded machine may otherwise finish before the failure point).
 * Shared by the injectors, which run in the same JVM as the test (a MiniCluster).
 */
public final class InjectedFailures {
    private static final Set<String> FAILED_SHARDS = ConcurrentHashMap.newKeySet();
    private static final Set<String> CLAIMED_SHARDS = ConcurrentHashMap.newKeySet();

    private InjectedFailures() {}

    /** Forgets an earlier job's failure on a shard of the same name (another backend's run of the test). */
    static void forget(String shard) {
        FAILED_SHARDS.remove(shard);
        CLAIMED_SHARDS.remove(shard);
    }

    /**
     * Whether the caller is the first to inject the failure into a job writing {@code shard}: whichever writer
     * reaches the failure point first fails, so the failure does not depend on which subtask got the records.
     */
    static boolean claim(String shard) {
        return CLAIMED_SHARDS.add(shard);
    }

    static void record(String shard) {
        FAILED_SHARDS.add(shard);
    }

    /** Whether a failure was injected into a job writing {@code shard}. */
    public static boolean happened(String shard) {
        return FAILED_SHARDS.contains(shard);
    }
}
