package io.flinkpersist.flink.source;

import io.flinkpersist.flink.sink.PersistSinkBuilder;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The jobs of {@link PersistSourceJobsTestBase} on the embedded defaults (a temporary directory). */
class PersistSourceITCase extends PersistSourceJobsTestBase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = miniCluster(METRICS);

    @Override
    protected InMemoryReporter metrics() {
        return METRICS;
    }

    @Override
    protected PersistSinkBuilder<KeyDiff> location(PersistSinkBuilder<KeyDiff> builder) {
        return builder.embedded(dir);
    }

    @Override
    protected <T> PersistSourceBuilder<T> location(PersistSourceBuilder<T> builder) {
        return builder.embedded(dir);
    }
}
