package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.proto.state.ProtoTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shard states written before commit markers had a time (committed_checkpoints, field 100000): read from a shard
 * that build wrote (src/test/resources/upgrade/README.md), their markers count as recorded at the state's walltime
 * with the default retention, and the next version writes them as commit_markers (field 100001) only.
 */
class LegacyMarkersStateTest {
    private static final ShardId SHARD = ShardId.parse("s67076149-585c-3130-a23c-327842e55ed4");
    private static final String SINK = "persist-sink:s67076149-585c-3130-a23c-327842e55ed4";
    private static final String JOB = "f81bd0a51d6dd01c4d34a13c6bf99544";

    @TempDir
    Path dir;

    @Test
    void markersOfAStateWrittenByTheEarlierBuildAreReadAndWrittenInTheNewField() throws Exception {
        Path fixture = Paths.get(Objects.requireNonNull(
                getClass().getResource("/upgrade/5484c5d/stopped/shard/consensus.db")).toURI());
        Files.copy(fixture, dir.resolve("consensus.db"));
        byte[] legacy;
        try (Consensus consensus = PersistLocation.embedded(dir).openConsensus()) {
            VersionedData head = consensus.head(SHARD.toString()).orElseThrow();
            legacy = head.data();
        }
        ProtoRollup legacyProto = ProtoRollup.parseFrom(legacy);
        assertThat(legacyProto.getCommittedCheckpointsMap()).hasSize(2);
        assertThat(legacyProto.getCommitMarkersMap()).isEmpty();

        ShardState state = StateCodec.decode(SHARD, SeqNo.of(legacyProto.getSeqno()), legacy);

        long retention = CommitMarkerState.DEFAULT_RETENTION.toMillis();
        assertThat(state.commitMarkers()).containsOnly(
                entry(SINK + "/" + JOB,
                        new CommitMarkerState(6, state.walltimeMs(), retention)),
                entry(SINK + "/" + JOB + "/savepoints",
                        new CommitMarkerState(6, state.walltimeMs(), retention)));
        byte[] rewritten = StateCodec.encode(state);
        ProtoRollup rewrittenProto = ProtoRollup.parseFrom(rewritten);
        assertThat(rewrittenProto.getCommittedCheckpointsMap()).isEmpty();
        assertThat(rewrittenProto.getCommitMarkersMap()).hasSize(2);
        assertThat(rewrittenProto.getCommitMarkersMap().get(SINK + "/" + JOB).getCheckpointId()).isEqualTo(6);
        assertThat(StateCodec.decode(SHARD, state.seqNo(), rewritten)).isEqualTo(state);
        // Everything else of the state is as the earlier build wrote it, behind this build's integrity header, but for
        // its part stats, now in persist's layout (PartStatsMigrationTest).
        assertThat(rewrittenProto.hasIntegrity()).isTrue();
        ProtoRollup.Builder expected = legacyProto.toBuilder().clearCommittedCheckpoints();
        ProtoTrace.Builder trace = expected.getTraceBuilder().clearLegacyBatches();
        legacyProto.getTrace().getLegacyBatchesList().forEach(b -> trace.addLegacyBatches(HollowBatch.fromProto(b).toProto()));
        assertThat(rewrittenProto.toBuilder().clearCommitMarkers().clearIntegrity().build()).isEqualTo(expected.build());
    }
}
