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

    private InjectedFailures() {}

    /** Forgets an earlier job's failure on a shard of the same name (another backend's run of the test). */
    public static void forget(String shard) {
        FAILED_SHARDS.remove(shard);
    }

    static void record(String shard) {
        FAILED_SHARDS.add(shard);
    }

    /** Whether a failure was injected into a job writing {@code shard}. */
    public static boolean happened(String shard) {
        return FAILED_SHARDS.contains(shard);
    }
}
