package io.flinkpersist.flink.sink;

import io.flinkpersist.flink.sink.testutils.FailingS3AFileSystem;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The jobs of {@link PersistSinkJobsTestBase} with parts on S3 (S3A) and consensus in PostgreSQL, real servers. */
class PostgresS3PersistSinkITCase extends PersistSinkJobsTestBase {
    /** Keeps the metrics of finished jobs, so that a test can read them after the job. */
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = miniCluster(METRICS);

    /** One bucket and one database per test (JUnit makes an instance per test), shared by all its sinks. */
    private String bucket;
    private String database;

    @Override
    protected PersistSinkBuilder<String> location(PersistSinkBuilder<String> builder,
            Map<String, String> hadoopOptions) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        if (bucket == null) {
            bucket = s3.createBucket();
            database = EmbeddedPostgresServer.shared().createDatabase();
        }
        Map<String, String> options = new HashMap<>(s3.s3aOptions());
        options.putAll(hadoopOptions);
        return builder.blobUri("s3a://" + bucket + "/persist")
                .consensusUri(database)
                .hadoopOptions(options);
    }

    @Override
    protected Map<String, String> failingFileSystem() {
        return Map.of("fs.s3a.impl", FailingS3AFileSystem.class.getName());
    }

    @Override
    protected InMemoryReporter metrics() {
        return METRICS;
    }
}
