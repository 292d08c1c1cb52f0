package io.flinkpersist.persist.shard;

import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;

/** PostgreSQL and S3, both real servers on 127.0.0.1 started by the test. */
class PostgresS3ShardITCase extends ShardContractTest {
    private static final S3ProxyServer S3 = S3ProxyServer.shared();

    @Override
    protected PersistLocation location() {
        return PersistLocation.parse("s3a://" + S3.createBucket() + "/persist", EmbeddedPostgresServer.shared().createDatabase());
    }

    @Override
    protected PersistConfig.Builder config() {
        return super.config().hadoopOptions(S3.s3aOptions());
    }
}
