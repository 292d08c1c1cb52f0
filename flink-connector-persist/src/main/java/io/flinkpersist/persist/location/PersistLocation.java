package io.flinkpersist.persist.location;

import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.blob.HadoopBlob;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.blob.RetryingBlob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.consensus.PostgresConsensus;
import io.flinkpersist.persist.consensus.PostgresConsensusConfig;
import io.flinkpersist.persist.consensus.SqliteConsensus;
import io.flinkpersist.persist.consensus.SqliteConsensusConfig;
import io.flinkpersist.persist.external.Retrier;
import io.flinkpersist.persist.external.RetryPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The two stores a persist shard lives in: a blob root for its parts and a consensus log for its state.
 *
 * <p>{@link #toString()} is safe to log: it never shows a password.
 */
public record PersistLocation(BlobLocation blob, ConsensusLocation consensus) {
    public PersistLocation {
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(consensus, "consensus");
    }

    /**
     * Parses a blob URI and a consensus URI; an unknown scheme or a malformed URI is an
     * {@link IllegalArgumentException} that lists the accepted forms.
     */
    public static PersistLocation parse(String blobUri, String consensusUri) {
        return new PersistLocation(BlobLocation.parse(blobUri), ConsensusLocation.parse(consensusUri));
    }

    /** The zero-setup default: parts under {@code dir/blob}, consensus in the SQLite file {@code dir/consensus.db}. */
    public static PersistLocation embedded(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        return new PersistLocation(new BlobLocation.HadoopFs(root.resolve("blob").toUri()),
                new ConsensusLocation.Sqlite(root.resolve("consensus.db")));
    }

    /**
     * Opens the blob store, retrying failed calls under {@code retryPolicy}.
     *
     * @param hadoopOptions Hadoop options ({@code fs.*}, {@code hadoop.*}), e.g. S3A endpoint and credentials
     */
    public Blob openBlob(Map<String, String> hadoopOptions, RetryPolicy retryPolicy) {
        Blob store = blob instanceof BlobLocation.InMemory mem
                ? MemBlob.named(mem.name())
                : HadoopBlob.open(((BlobLocation.HadoopFs) blob).root(), hadoopOptions);
        return new RetryingBlob(store, new Retrier(retryPolicy));
    }

    /** Opens the consensus store with default pool, timeout and retry settings. */
    public Consensus openConsensus() {
        return openConsensus(PostgresConsensusConfig.DEFAULT, SqliteConsensusConfig.DEFAULT);
    }

    /**
     * Opens the consensus store; the config of the other kind of store is ignored. The PostgreSQL table or
     * the SQLite file (and its directory) are created if absent.
     */
    public Consensus openConsensus(PostgresConsensusConfig postgresConfig, SqliteConsensusConfig sqliteConfig) {
        if (consensus instanceof ConsensusLocation.Postgres pg) {
            return new PostgresConsensus(pg.jdbcUrl(), pg.user(), pg.password(), postgresConfig);
        }
        if (consensus instanceof ConsensusLocation.Sqlite sqlite) {
            return new SqliteConsensus(sqlite.file(), sqliteConfig);
        }
        return MemConsensus.named(((ConsensusLocation.InMemory) consensus).name());
    }

    @Override
    public String toString() {
        return "PersistLocation{blob=" + blob + ", consensus=" + consensus + "}";
    }
}
