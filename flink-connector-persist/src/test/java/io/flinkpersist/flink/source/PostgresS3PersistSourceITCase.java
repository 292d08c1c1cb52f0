package io.flinkpersist.flink.source;

import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The jobs of {@link PersistSourceJobsTestBase} with parts on S3 (S3A) and consensus in PostgreSQL, real servers. */
class PostgresS3PersistSourceITCase extends PersistSourceJobsTestBase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = miniCluster(METRICS);

    @Override
    protected InMemoryReporter metrics() {
        return METRICS;
    }

    /** One bucket and one database per test (JUnit makes an instance per test). */
    private String bucket;
    private String database;

    private void create() {
        if (bucket == null) {
            bucket = S3ProxyServer.shared().createBucket();
            database = EmbeddedPostgresServer.shared().createDatabase();
        }
    }

    @Override
    protected PersistSinkBuilder<KeyDiff> location(PersistSinkBuilder<KeyDiff> builder) {
        create();
        return builder.blobUri("s3a://" + bucket + "/persist").consensusUri(database)
                .hadoopOptions(S3ProxyServer.shared().s3aOptions());
    }

    @Override
    protected <T> PersistSourceBuilder<T> location(PersistSourceBuilder<T> builder) {
        create();
        return builder.blobUri("s3a://" + bucket + "/persist").consensusUri(database)
                .hadoopOptions(S3ProxyServer.shared().s3aOptions());
    }
}
