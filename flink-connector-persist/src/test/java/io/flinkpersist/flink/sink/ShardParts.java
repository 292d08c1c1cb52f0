package io.flinkpersist.flink.sink;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateVersions;
import java.util.HashSet;
import java.util.Set;

/** The shard's state as stored, and which blobs exist under the shard versus which its state references. */
record ShardParts(ShardState state, Set<String> inBlob, Set<String> referenced) {
    static ShardParts read(PersistSinkConfig config) {
        PersistLocation location = config.location();
        ShardId shard = config.shardId();
        try (Blob blob = location.openBlob(config.persistConfig().hadoopOptions(), RetryPolicy.DEFAULT);
                Consensus consensus = location.openConsensus()) {
            ShardState state = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
            Set<String> referenced = new HashSet<>();
            for (HollowBatch batch : state.batches()) {
                for (BatchPart part : batch.parts()) {
                    if (!part.isInline()) {
                        referenced.add(part.blobKey(shard));
                    }
                }
            }
            state.rollups().values().forEach(r -> referenced.add(r.key().complete(shard)));
            Set<String> inBlob = new HashSet<>();
            blob.list(shard + "/", (key, size) -> inBlob.add(key));
            return new ShardParts(state, inBlob, referenced);
        }
    }

    /** Parts and rollups in blob that the state does not reference: what a failure left behind. */
    Set<String> unreferenced() {
        Set<String> left = new HashSet<>(inBlob);
        left.removeAll(referenced);
        return left;
    }
}
