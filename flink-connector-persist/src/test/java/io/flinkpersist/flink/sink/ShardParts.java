package io.flinkpersist.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateCodec;
import io.flinkpersist.persist.state.StateDiff;
import io.flinkpersist.persist.state.StateVersions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The shard's state as stored, and which blobs exist under the shard versus which its state references. */
record ShardParts(ShardState state, Set<String> inBlob, Set<String> referenced, List<VersionedData> versions,
        Map<String, byte[]> rollups) {
    static ShardParts read(PersistSinkConfig config) {
        PersistLocation location = config.location();
        ShardId shard = config.shardId();
        try (Blob blob = location.openBlob(config.persistConfig().hadoopOptions(), RetryPolicy.DEFAULT);
                Consensus consensus = location.openConsensus()) {
            ShardState state = StateVersions.readLatest(shard, consensus, blob).orElseThrow();
            List<VersionedData> versions = consensus.scan(shard.toString(), SeqNo.MINIMUM, Integer.MAX_VALUE);
            // Parts that compaction replaced stay until no retained version references them: those count too.
            Set<String> referenced = new HashSet<>();
            ShardState retained = oldestReadable(state, blob);
            addParts(retained, referenced);
            for (VersionedData version : versions) {
                if (version.seqNo().compareTo(retained.seqNo()) > 0) {
                    retained = StateDiff.apply(retained, ProtoStateDiff.parseFrom(version.data()));
                    addParts(retained, referenced);
                }
            }
            state.rollups().values().forEach(r -> referenced.add(r.key().complete(shard)));
            Set<String> inBlob = new HashSet<>();
            blob.list(shard + "/", (key, size) -> inBlob.add(key));
            Map<String, byte[]> rollups = new TreeMap<>();
            blob.list(shard + "/v", (key, size) -> rollups.put(key, blob.get(key).orElseThrow()));
            return new ShardParts(state, inBlob, referenced, versions, rollups);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("a consensus version is not a state diff", e);
        }
    }

    /**
     * The state of the oldest rollup still in blob: the oldest version a reader can start from. A shard written
     * before rollups existed (whole states in consensus) has none, and nothing was ever replaced in it: its latest.
     */
    private static ShardState oldestReadable(ShardState latest, Blob blob) {
        ShardId shard = latest.shardId();
        for (var rollup : latest.rollups().values()) {
            var bytes = blob.get(rollup.key().complete(shard));
            if (bytes.isPresent()) {
                return StateCodec.decode(shard, rollup.key().seqNo(), bytes.get());
            }
        }
        assertThat(latest.rollups()).as("rollups of shard %s, none in blob", shard).isEmpty();
        return latest;
    }

    private static void addParts(ShardState state, Set<String> referenced) {
        for (HollowBatch batch : state.batches()) {
            for (BatchPart part : batch.parts()) {
                if (!part.isInline()) {
                    referenced.add(part.blobKey(state.shardId()));
                }
            }
        }
    }

    /**
     * The shard is stored as persist stores it: every consensus version a {@code ProtoStateDiff} of its own seqno,
     * every rollup blob a {@code ProtoRollup} of this shard at the seqno its key names, consensus starting at a
     * rollup the state records.
     */
    void assertStoredAsPersist() throws InvalidProtocolBufferException {
        ShardId shard = state.shardId();
        assertThat(versions).isNotEmpty();
        assertThat(state.rollups()).containsKey(versions.get(0).seqNo());
        for (VersionedData version : versions) {
            ProtoStateDiff diff = ProtoStateDiff.parseFrom(version.data());
            assertThat(diff.getSeqnoTo()).as("diff at %s", version.seqNo()).isEqualTo(version.seqNo().value());
            assertThat(diff.getSeqnoFrom()).as("diff at %s", version.seqNo()).isEqualTo(version.seqNo().value() - 1);
        }
        for (Map.Entry<String, byte[]> rollup : rollups.entrySet()) {
            ProtoRollup decoded = ProtoRollup.parseFrom(rollup.getValue());
            PartialRollupKey key = PartialRollupKey.parse(rollup.getKey().substring(shard.toString().length() + 1));
            assertThat(decoded.getShardId()).isEqualTo(shard.toString());
            assertThat(decoded.getSeqno()).as("rollup %s", rollup.getKey()).isEqualTo(key.seqNo().value());
        }
        state.rollups().values().forEach(r -> assertThat(rollups).containsKey(r.key().complete(shard)));
    }

    /** Parts and rollups in blob that the state does not reference: what a failure left behind. */
    Set<String> unreferenced() {
        Set<String> left = new HashSet<>(inBlob);
        left.removeAll(referenced);
        return left;
    }
}
