package io.flinkpersist.persist.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.LeasedReaderId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.proto.state.ProtoCommitMarker;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoLeasedReaderState;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.proto.state.ProtoTrace;
import io.flinkpersist.persist.proto.state.ProtoWriterState;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a {@link ShardState} is stored as the data of a consensus version: a full persist {@code ProtoRollup}
 * (batches in the trace's {@code legacy_batches}). Persist stores diffs in consensus and full rollups in
 * blob; this is the one place to change when we do too.
 */
public final class StateCodec {
    private StateCodec() {}

    public static byte[] encode(ShardState state) {
        ProtoTrace.Builder trace = ProtoTrace.newBuilder().setSince(FrontierProtos.toStateAntichain(state.since()));
        state.batches().forEach(b -> trace.addLegacyBatches(b.toProto()));
        ProtoRollup.Builder rollup = ProtoRollup.newBuilder()
                .setApplierVersion(state.applierVersion().toString())
                .setShardId(state.shardId().toString())
                .setKeyCodec(state.codecs().key())
                .setValCodec(state.codecs().value())
                .setTsCodec(state.codecs().time())
                .setDiffCodec(state.codecs().diff())
                .setSeqno(state.seqNo().value())
                .setWalltimeMs(state.walltimeMs())
                .setTrace(trace);
        state.writers().forEach((id, w) -> rollup.putWriters(id.toString(), ProtoWriterState.newBuilder()
                .setLastHeartbeatTimestampMs(w.lastHeartbeatMs())
                .setLeaseDurationMs(w.leaseDurationMs())
                // Persist spells the sentinel token as the empty string.
                .setMostRecentWriteToken(w.mostRecentWriteToken().equals(IdempotencyToken.SENTINEL)
                        ? "" : w.mostRecentWriteToken().toString())
                .setMostRecentWriteUpper(FrontierProtos.toStateAntichain(w.mostRecentWriteUpper()))
                .build()));
        state.commitMarkers().forEach((committer, m) -> rollup.putCommitMarkers(committer, ProtoCommitMarker.newBuilder()
                .setCheckpointId(m.checkpointId())
                .setLastRecordedMs(m.lastRecordedMs())
                .setRetentionMs(m.retentionMs())
                .build()));
        state.readers().forEach((id, r) -> rollup.putLeasedReaders(id.toString(), ProtoLeasedReaderState.newBuilder()
                .setSince(FrontierProtos.toStateAntichain(r.since()))
                .setSeqno(r.seqNoHold().value())
                .setLastHeartbeatTimestampMs(r.lastHeartbeatMs())
                .setLeaseDurationMs(r.leaseDurationMs())
                .build()));
        return rollup.build().toByteArray();
    }

    /**
     * @throws IllegalStateException if the bytes are not a state of {@code expectedShard}: a corrupt or
     *     foreign consensus row is never guessed at
     */
    public static ShardState decode(ShardId expectedShard, byte[] data) {
        ProtoRollup rollup;
        try {
            rollup = ProtoRollup.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("consensus data of shard " + expectedShard + " is not a shard state: " + e.getMessage(), e);
        }
        if (!rollup.getShardId().equals(expectedShard.toString())) {
            throw new IllegalStateException("consensus data under key " + expectedShard + " is the state of shard '"
                    + rollup.getShardId() + "'");
        }
        List<HollowBatch> batches = new ArrayList<>();
        for (ProtoHollowBatch batch : rollup.getTrace().getLegacyBatchesList()) {
            batches.add(HollowBatch.fromProto(batch));
        }
        SortedMap<WriterId, WriterState> writers = new TreeMap<>();
        for (Map.Entry<String, ProtoWriterState> e : rollup.getWritersMap().entrySet()) {
            ProtoWriterState w = e.getValue();
            writers.put(WriterId.parse(e.getKey()), new WriterState(w.getLastHeartbeatTimestampMs(), w.getLeaseDurationMs(),
                    w.getMostRecentWriteToken().isEmpty() ? IdempotencyToken.SENTINEL : IdempotencyToken.parse(w.getMostRecentWriteToken()),
                    FrontierProtos.fromStateAntichain(w.hasMostRecentWriteUpper() ? w.getMostRecentWriteUpper() : null)));
        }
        SortedMap<LeasedReaderId, ReaderState> readers = new TreeMap<>();
        for (Map.Entry<String, ProtoLeasedReaderState> e : rollup.getLeasedReadersMap().entrySet()) {
            ProtoLeasedReaderState r = e.getValue();
            readers.put(LeasedReaderId.parse(e.getKey()), new ReaderState(
                    FrontierProtos.fromStateAntichain(r.hasSince() ? r.getSince() : null), SeqNo.of(r.getSeqno()),
                    r.getLastHeartbeatTimestampMs(), r.getLeaseDurationMs()));
        }
        // Markers of earlier builds had no time: they count as recorded when this state was written.
        SortedMap<String, CommitMarkerState> markers = new TreeMap<>();
        rollup.getCommittedCheckpointsMap().forEach((committer, checkpoint) -> markers.put(committer,
                new CommitMarkerState(checkpoint, rollup.getWalltimeMs(), CommitMarkerState.DEFAULT_RETENTION.toMillis())));
        rollup.getCommitMarkersMap().forEach((committer, m) -> markers.put(committer,
                new CommitMarkerState(m.getCheckpointId(), m.getLastRecordedMs(), m.getRetentionMs())));
        String applier = rollup.getApplierVersion().isEmpty() ? "0.0.0" : rollup.getApplierVersion();
        return new ShardState(expectedShard, SeqNo.of(rollup.getSeqno()), rollup.getWalltimeMs(), BuildVersion.parse(applier),
                new Codecs(rollup.getKeyCodec(), rollup.getValCodec(), rollup.getTsCodec(), rollup.getDiffCodec()),
                FrontierProtos.fromStateAntichain(rollup.getTrace().hasSince() ? rollup.getTrace().getSince() : null),
                batches, writers, readers, markers);
    }
}
