package io.flinkpersist.flink.sink;

import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;

/** The jobs of {@link PersistSinkITCase} with parts on S3 (S3A) and consensus in PostgreSQL, real servers. */
class PostgresS3PersistSinkITCase extends PersistSinkITCase {
    @Override
    protected PersistSinkBuilder<String> location(PersistSinkBuilder<String> builder) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        return builder.blobUri("s3a://" + s3.createBucket() + "/persist")
                .consensusUri(EmbeddedPostgresServer.shared().createDatabase())
                .hadoopOptions(s3.s3aOptions());
    }
}
