package io.flinkpersist.flink.table;

import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queries of {@link PersistTableSourceJobsTestBase} with parts on S3 (S3A) and consensus in PostgreSQL. */
class PostgresS3PersistTableSourceITCase extends PersistTableSourceJobsTestBase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = miniCluster();

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
    protected String blobUri() {
        create();
        return "s3a://" + bucket + "/persist";
    }

    @Override
    protected String consensusUri() {
        create();
        return database;
    }

    @Override
    protected Map<String, String> hadoopOptions() {
        return S3ProxyServer.shared().s3aOptions();
    }
}
