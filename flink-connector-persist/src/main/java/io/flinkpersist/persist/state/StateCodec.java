package io.flinkpersist.persist.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.QuotedInput;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.CriticalReaderId;
import io.flinkpersist.persist.ids.LeasedReaderId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowRollup;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.proto.state.ProtoTrace;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A whole {@link ShardState} as persist's {@code ProtoRollup} (batches in the trace's {@code legacy_batches}):
 * the value of a rollup blob, and of every consensus version written before consensus held diffs. This build
 * writes it behind an {@linkplain StateIntegrity integrity header}.
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
        state.rollups().forEach((seqNo, r) -> rollup.putRollups(seqNo.value(), StateProtos.rollup(r)));
        state.activeRollup().ifPresent(a -> rollup.setActiveRollup(StateProtos.activeRollup(a)));
        state.writers().forEach((id, w) -> rollup.putWriters(id.toString(), StateProtos.writer(w)));
        state.readers().forEach((id, r) -> rollup.putLeasedReaders(id.toString(), StateProtos.reader(r)));
        state.criticalReaders().forEach((id, r) -> rollup.putCriticalReaders(id.toString(),
                StateProtos.criticalReader(r)));
        state.commitMarkers().forEach((committer, m) -> rollup.putCommitMarkers(committer, StateProtos.marker(m)));
        return StateIntegrity.seal(rollup.build().toByteArray());
    }

    /**
     * The state of version {@code seqNo} of {@code shardId} from {@code data}: a rollup blob named for that version,
     * or a consensus version written before consensus held diffs. Checked against its integrity header if it has
     * one, and against every {@linkplain StateInvariants invariant} of a state.
     *
     * @throws CorruptStateException if the bytes are not a whole, intact state of that shard and version: a corrupt
     *     or foreign state is never guessed at
     */
    public static ShardState decode(ShardId shardId, SeqNo seqNo, byte[] data) {
        StateIntegrity.Body body = StateIntegrity.open(shardId, seqNo, data, ProtoRollup.getDescriptor());
        ProtoRollup rollup;
        try {
            rollup = ProtoRollup.parseFrom(body.bytes());
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptStateException(shardId, seqNo, "it is not a shard state: " + e.getMessage(), e);
        }
        if (rollup.hasIntegrity()) {
            throw new CorruptStateException(shardId, seqNo, "it has an integrity header that is not its first field");
        }
        if (!rollup.getShardId().equals(shardId.toString())) {
            throw new CorruptStateException(shardId, seqNo, "it is the state of shard " + QuotedInput.of(rollup.getShardId()));
        }
        if (rollup.getSeqno() != seqNo.value()) {
            throw new CorruptStateException(shardId, seqNo, "it holds the state of v" + rollup.getSeqno());
        }
        ShardState state;
        try {
            state = fromProto(shardId, rollup);
        } catch (RuntimeException e) {
            throw new CorruptStateException(shardId, seqNo, "a field does not decode: " + QuotedInput.of(e.getMessage()), e);
        }
        StateInvariants.check(state);
        return state;
    }

    private static ShardState fromProto(ShardId shardId, ProtoRollup rollup) {
        List<HollowBatch> batches = new ArrayList<>();
        for (ProtoHollowBatch batch : rollup.getTrace().getLegacyBatchesList()) {
            batches.add(HollowBatch.fromProto(batch));
        }
        SortedMap<WriterId, WriterState> writers = new TreeMap<>();
        rollup.getWritersMap().forEach((id, w) -> writers.put(WriterId.parse(id), StateProtos.writer(w)));
        SortedMap<LeasedReaderId, ReaderState> readers = new TreeMap<>();
        rollup.getLeasedReadersMap().forEach((id, r) -> readers.put(LeasedReaderId.parse(id), StateProtos.reader(r)));
        SortedMap<CriticalReaderId, CriticalReaderState> criticalReaders = new TreeMap<>();
        rollup.getCriticalReadersMap().forEach((id, r) -> criticalReaders.put(CriticalReaderId.parse(id),
                StateProtos.criticalReader(r)));
        // Markers of earlier builds had no time: they count as recorded when this state was written.
        SortedMap<String, CommitMarkerState> markers = new TreeMap<>();
        rollup.getCommittedCheckpointsMap().forEach((committer, checkpoint) -> markers.put(committer,
                new CommitMarkerState(checkpoint, rollup.getWalltimeMs(), CommitMarkerState.DEFAULT_RETENTION.toMillis())));
        rollup.getCommitMarkersMap().forEach((committer, m) -> markers.put(committer, StateProtos.marker(m)));
        SortedMap<SeqNo, HollowRollup> rollups = new TreeMap<>();
        for (Map.Entry<Long, ProtoHollowRollup> e : rollup.getRollupsMap().entrySet()) {
            rollups.put(SeqNo.of(e.getKey()), StateProtos.rollup(e.getValue()));
        }
        String applier = rollup.getApplierVersion().isEmpty() ? "0.0.0" : rollup.getApplierVersion();
        return new ShardState(shardId, SeqNo.of(rollup.getSeqno()), rollup.getWalltimeMs(), BuildVersion.parse(applier),
                new Codecs(rollup.getKeyCodec(), rollup.getValCodec(), rollup.getTsCodec(), rollup.getDiffCodec()),
                FrontierProtos.fromStateAntichain(rollup.getTrace().hasSince() ? rollup.getTrace().getSince() : null),
                batches, writers, readers, criticalReaders, markers, rollups,
                rollup.hasActiveRollup() ? Optional.of(StateProtos.activeRollup(rollup.getActiveRollup())) : Optional.empty());
    }

    /**
     * Whether a consensus version holds a whole state, as every version did before consensus held diffs. Such a
     * version starts with its shard id (field 1 of {@code ProtoRollup}, written first); a diff starts with its
     * applier version (field 1 of {@code ProtoStateDiff}), a semver, which never looks like a shard id.
     */
    public static boolean isWholeState(ShardId shardId, byte[] data) {
        byte[] prefix = ProtoRollup.newBuilder().setShardId(shardId.toString()).build().toByteArray();
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }
}
