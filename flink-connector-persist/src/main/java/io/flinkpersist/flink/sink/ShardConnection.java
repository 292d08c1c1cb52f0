package io.flinkpersist.flink.sink;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.write.WriteHandle;
import org.apache.flink.annotation.Internal;

/**
 * The connection of the sink's aggregator or committer to its shard, opened on first use: a client on the sink's
 * location and a write handle on the shard. Tasks that never need the shard open nothing (writers need blob only
 * and do not use one). Not thread-safe.
 */
@Internal
public final class ShardConnection implements AutoCloseable {
    private final PersistSinkConfig config;
    private PersistClient client;
    private WriteHandle writer;

    public ShardConnection(PersistSinkConfig config) {
        this.config = config;
    }

    /** A maintenance handle of the shard, on the same client as the writer; each call opens a new one. */
    public ShardMaintenance openMaintenance() {
        writer();
        return client.openMaintenance(config.shardId(), config.codecs());
    }

    public WriteHandle writer() {
        if (writer == null) {
            client = config.openClient();
            writer = client.openWriter(config.shardId(), config.codecs());
        }
        return writer;
    }

    /** Expires the write handle (the shard forgets this writer) and closes the client. */
    @Override
    public void close() {
        try {
            if (writer != null) {
                writer.close();
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }
}
