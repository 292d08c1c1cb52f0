package io.flinkpersist.persist.state;

import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.proto.state.ProtoActiveRollup;
import io.flinkpersist.persist.proto.state.ProtoCommitMarker;
import io.flinkpersist.persist.proto.state.ProtoCriticalReaderState;
import io.flinkpersist.persist.proto.state.ProtoHandleDebugState;
import io.flinkpersist.persist.proto.state.ProtoHollowRollup;
import io.flinkpersist.persist.proto.state.ProtoLeasedReaderState;
import io.flinkpersist.persist.proto.state.ProtoWriterState;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.OptionalLong;

/** The persist messages of the parts of a shard state, shared by rollups and state diffs. */
final class StateProtos {
    private StateProtos() {}

    static ProtoWriterState writer(WriterState w) {
        return ProtoWriterState.newBuilder()
                .setLastHeartbeatTimestampMs(w.lastHeartbeatMs())
                .setLeaseDurationMs(w.leaseDurationMs())
                // Persist spells the sentinel token as the empty string.
                .setMostRecentWriteToken(w.mostRecentWriteToken().equals(IdempotencyToken.SENTINEL)
                        ? "" : w.mostRecentWriteToken().toString())
                .setMostRecentWriteUpper(FrontierProtos.toStateAntichain(w.mostRecentWriteUpper()))
                .build();
    }

    static WriterState writer(ProtoWriterState w) {
        return new WriterState(w.getLastHeartbeatTimestampMs(), w.getLeaseDurationMs(),
                w.getMostRecentWriteToken().isEmpty() ? IdempotencyToken.SENTINEL : IdempotencyToken.parse(w.getMostRecentWriteToken()),
                FrontierProtos.fromStateAntichain(w.hasMostRecentWriteUpper() ? w.getMostRecentWriteUpper() : null));
    }

    static ProtoLeasedReaderState reader(ReaderState r) {
        return ProtoLeasedReaderState.newBuilder()
                .setSince(FrontierProtos.toStateAntichain(r.since()))
                .setSeqno(r.seqNoHold().value())
                .setLastHeartbeatTimestampMs(r.lastHeartbeatMs())
                .setLeaseDurationMs(r.leaseDurationMs())
                .build();
    }

    static ReaderState reader(ProtoLeasedReaderState r) {
        return new ReaderState(FrontierProtos.fromStateAntichain(r.hasSince() ? r.getSince() : null), SeqNo.of(r.getSeqno()),
                r.getLastHeartbeatTimestampMs(), r.getLeaseDurationMs());
    }

    static ProtoCriticalReaderState criticalReader(CriticalReaderState r) {
        return ProtoCriticalReaderState.newBuilder()
                .setSince(FrontierProtos.toStateAntichain(r.since()))
                .setOpaque(r.opaque())
                .setOpaqueCodec(r.opaqueCodec())
                .setDebug(ProtoHandleDebugState.newBuilder().setPurpose(r.purpose()))
                .build();
    }

    static CriticalReaderState criticalReader(ProtoCriticalReaderState r) {
        return new CriticalReaderState(FrontierProtos.fromStateAntichain(r.hasSince() ? r.getSince() : null),
                r.getOpaque(), r.getOpaqueCodec(), r.getDebug().getPurpose());
    }

    static ProtoCommitMarker marker(CommitMarkerState m) {
        return ProtoCommitMarker.newBuilder()
                .setCheckpointId(m.checkpointId())
                .setLastRecordedMs(m.lastRecordedMs())
                .setRetentionMs(m.retentionMs())
                .build();
    }

    static CommitMarkerState marker(ProtoCommitMarker m) {
        return new CommitMarkerState(m.getCheckpointId(), m.getLastRecordedMs(), m.getRetentionMs());
    }

    static ProtoHollowRollup rollup(HollowRollup r) {
        ProtoHollowRollup.Builder b = ProtoHollowRollup.newBuilder().setKey(r.key().toString());
        r.encodedSizeBytes().ifPresent(b::setEncodedSizeBytes);
        return b.build();
    }

    static HollowRollup rollup(ProtoHollowRollup r) {
        return new HollowRollup(PartialRollupKey.parse(r.getKey()),
                r.hasEncodedSizeBytes() ? OptionalLong.of(r.getEncodedSizeBytes()) : OptionalLong.empty());
    }

    static ProtoActiveRollup activeRollup(ActiveRollup a) {
        return ProtoActiveRollup.newBuilder().setSeqno(a.seqNo().value()).setStartMs(a.startMs()).build();
    }

    static ActiveRollup activeRollup(ProtoActiveRollup a) {
        return new ActiveRollup(SeqNo.of(a.getSeqno()), a.getStartMs());
    }
}
