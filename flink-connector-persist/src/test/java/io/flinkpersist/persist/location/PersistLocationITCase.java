package io.flinkpersist.persist.location;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locations parsed from the URIs a user writes open working stores, on every kind of backend. */
class PersistLocationITCase {
    private static void exercise(PersistLocation location, java.util.Map<String, String> blobOptions) {
        String shard = ShardId.random().toString();
        try (Blob blob = location.openBlob(blobOptions, RetryPolicy.DEFAULT);
                Consensus consensus = location.openConsensus()) {
            blob.set(shard + "/n0000100/p00000000-0000-4000-8000-000000000000", new byte[] {1, 2});
            assertThat(blob.get(shard + "/n0000100/p00000000-0000-4000-8000-000000000000")).isPresent();
            assertThat(consensus.compareAndSet(shard, Optional.empty(), new VersionedData(SeqNo.of(1), new byte[] {7})))
                    .isEqualTo(CasResult.COMMITTED);
            assertThat(consensus.head(shard)).hasValue(new VersionedData(SeqNo.of(1), new byte[] {7}));
        }
    }

    @Test
    void embeddedDefaults(@TempDir Path dir) {
        exercise(PersistLocation.parse(dir.resolve("blob").toString(), "sqlite://" + dir.resolve("nested/consensus.db")),
                java.util.Map.of());
        assertThat(dir.resolve("nested/consensus.db")).exists();
    }

    @Test
    void s3AndPostgres() {
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.shared();
        String jdbcUrl = pg.createDatabase();
        String database = jdbcUrl.replaceAll("^.*/([^/?]+)\\?.*$", "$1");
        S3ProxyServer s3 = S3ProxyServer.shared();
        String bucket = s3.createBucket();
        exercise(PersistLocation.parse("s3a://" + bucket + "/persist",
                "postgres://" + EmbeddedPostgresServer.USER + "@127.0.0.1:" + pg.port() + "/" + database),
                s3.s3aOptions());
        exercise(PersistLocation.parse("s3a://" + bucket + "/other", jdbcUrl), s3.s3aOptions());
    }

    @Test
    void inMemory() {
        exercise(PersistLocation.parse("mem://location-test", "mem://location-test"), java.util.Map.of());
    }
}
