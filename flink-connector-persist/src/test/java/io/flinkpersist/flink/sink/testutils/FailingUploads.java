package io.flinkpersist.flink.sink.testutils;

import io.flinkpersist.persist.external.RetryPolicy;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.Path;

/**
 * Makes one part upload fail for good: once armed for a shard, the next batch part written under it fails every
 * attempt the blob's retry policy makes, so the writer's upload fails and its task with it. Shared by the
 * failing file systems, which run in the same JVM as the test (a MiniCluster).
 */
public final class FailingUploads {
    private static final AtomicReference<String> ARMED_SHARD = new AtomicReference<>();
    private static final AtomicReference<String> FAILING_PART = new AtomicReference<>();
    private static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
    private static final AtomicInteger FAILED = new AtomicInteger();

    private FailingUploads() {}

    /** The next part uploaded for {@code shard} fails all its attempts. */
    public static void armNextUpload(String shard) {
        FAILED.set(0);
        FAILING_PART.set(null);
        FAILURES_LEFT.set(RetryPolicy.DEFAULT.maxAttempts());
        ARMED_SHARD.set(shard);
    }

    /** How many upload attempts failed since the last arming. */
    public static int failedAttempts() {
        return FAILED.get();
    }

    /** Throws if {@code path} is an attempt of the failing upload. */
    static void check(Path path) throws IOException {
        String shard = ARMED_SHARD.get();
        String parent = path.getParent() == null ? "" : path.getParent().toString();
        if (shard == null || !parent.contains(shard)) {
            return;
        }
        String part = partName(path.getName());
        if (!part.startsWith("p")) {
            // A rollup ("r…"): its failure is the state's business, and would not fail the writer as intended.
            return;
        }
        // The first upload after arming is the one that fails; its retries use the same key.
        FAILING_PART.compareAndSet(null, parent + "/" + part);
        if ((parent + "/" + part).equals(FAILING_PART.get()) && FAILURES_LEFT.getAndDecrement() > 0) {
            FAILED.incrementAndGet();
            InjectedFailures.record(shard);
            throw new IOException("injected failure uploading part " + part);
        }
    }

    /** The part's name, also for the hidden temporary sibling a local upload writes first. */
    private static String partName(String name) {
        if (name.startsWith(".")) {
            int end = name.indexOf('.', 1);
            return end < 0 ? name.substring(1) : name.substring(1, end);
        }
        return name;
    }
}
