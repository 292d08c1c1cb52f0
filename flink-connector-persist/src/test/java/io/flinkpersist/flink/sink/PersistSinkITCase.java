package io.flinkpersist.flink.sink;

import io.flinkpersist.flink.sink.testutils.FailingLocalFileSystem;
import java.util.Map;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The jobs of {@link PersistSinkJobsTestBase} on the embedded defaults (a temporary directory). */
class PersistSinkITCase extends PersistSinkJobsTestBase {
    /** Keeps the metrics of finished jobs, so that a test can read them after the job. */
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = miniCluster(METRICS);

    @Override
    protected PersistSinkBuilder<String> location(PersistSinkBuilder<String> builder,
            Map<String, String> hadoopOptions) {
        return builder.embedded(dir).hadoopOptions(hadoopOptions);
    }

    @Override
    protected Map<String, String> failingFileSystem() {
        return Map.of("fs.file.impl", FailingLocalFileSystem.class.getName());
    }

    @Override
    protected boolean runsLongJobs() {
        return true;
    }

    @Override
    protected InMemoryReporter metrics() {
        return METRICS;
    }
}
