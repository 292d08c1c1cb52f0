package io.flinkpersist.persist.shard;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateSettings;
import io.flinkpersist.persist.write.WriteHandle;
import java.time.Duration;

/** A fresh shard in memory with a client and a writer that build batches with the given settings, for tests. */
final class MemShardFixture implements AutoCloseable {
    static final Codecs CODECS = Codecs.of("utf8", "utf8");

    final MemBlob blob = new MemBlob();
    final MemConsensus consensus = new MemConsensus();
    final ShardId shard = ShardId.random();
    final PersistClient client;
    final WriteHandle writer;

    MemShardFixture(BatchBuilderConfig batches) {
        client = PersistClient.open(PersistLocation.parse("mem://fixture", "mem://fixture"),
                PersistConfig.builder().batch(batches).build(), blob, consensus);
        writer = client.openWriter(shard, CODECS);
    }

    /** The shard's state as a fresh handle reads it from consensus. */
    ShardState readFromConsensus() {
        Applier fresh = new Applier(shard, consensus, blob, CODECS, BuildVersion.current(), System::currentTimeMillis,
                new RetryPolicy(4, Duration.ofMillis(1), 2, Duration.ofMillis(5)), StateSettings.DEFAULT);
        return fresh.fetch();
    }

    @Override
    public void close() {
        client.close();
    }
}
