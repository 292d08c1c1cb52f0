package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.StringValue;
import com.google.protobuf.UInt64Value;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.LeasedReaderId;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.RollupId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.proto.diff.ProtoStateField;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffType;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffs;
import io.flinkpersist.persist.proto.state.ProtoCommitMarker;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowRollup;
import io.flinkpersist.persist.proto.state.ProtoWriterState;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A state diff turns the version it was made from into the next one exactly, through its bytes; it refuses to
 * be applied to any other version; and it is written with persist's fields, diff types and key encodings.
 */
class StateDiffPropertyTest {
    private static final ShardId SHARD = ShardId.of(UUID.fromString("00000000-0000-0000-0000-000000000011"));
    private static final BuildVersion VERSION = BuildVersion.current();

    @Property(tries = 200)
    void applyingTheDiffOfTwoVersionsToTheFirstGivesTheSecond(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int steps) {
        Random random = new Random(seed);
        ShardState state = ShardState.initial(SHARD, Codecs.of("utf8", "utf8"), VERSION, 1_000)
                .withRollup(SeqNo.of(1), rollup(1));
        for (int i = 0; i < steps; i++) {
            ShardState next = randomChange(state, random).nextVersion(1_000 + i * 10L, VERSION);
            PartialRollupKey latest = next.latestRollup().orElseThrow().getValue().key();
            ProtoStateDiff diff = StateDiff.between(state, next, latest);
            ShardState applied = StateDiff.apply(state, parse(diff.toByteArray()));
            assertThat(applied).as("step %d", i).isEqualTo(next);
            assertThat(StateCodec.decode(SHARD, applied.seqNo(), StateCodec.encode(applied))).isEqualTo(next);
            if (diff.getFieldDiffs().getFieldsCount() > 0) {
                // The same diff does not fit the version after it: every change names what it replaces.
                ShardState stale = next;
                ProtoStateDiff shifted = diff.toBuilder().setSeqnoFrom(next.seqNo().value())
                        .setSeqnoTo(next.seqNo().value() + 1).build();
                assertThatThrownBy(() -> StateDiff.apply(stale, shifted)).isInstanceOf(CorruptStateException.class);
            }
            state = next;
        }
    }

    @Test
    void aDiffFromAnotherVersionIsRefused() {
        ShardState v1 = ShardState.initial(SHARD, Codecs.of("utf8", "utf8"), VERSION, 1_000).withRollup(SeqNo.of(1), rollup(1));
        ShardState v2 = v1.withWriter(WriterId.random(), WriterState.registered(1_000, 60_000)).nextVersion(1_001, VERSION);
        ProtoStateDiff diff = StateDiff.between(v1, v2, rollup(1).key());
        assertThatThrownBy(() -> StateDiff.apply(v2, diff))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining("diff from v1 to v2, applied to v2")
                .hasMessageContaining(SHARD.toString());
    }

    @Test
    void changesAreWrittenWithPersistsFieldsTypesAndKeyEncodings() throws Exception {
        ShardState v1 = ShardState.initial(SHARD, Codecs.of("utf8", "utf8"), VERSION, 1_000).withRollup(SeqNo.of(1), rollup(1));
        WriterId writer = WriterId.random();
        HollowBatch batch = batch(0, 5);
        HollowRollup second = rollup(2);
        ShardState v2 = v1.withAppended(batch)
                .withWriter(writer, WriterState.registered(1_000, 60_000).wrote(IdempotencyToken.random(), Frontier.of(5), 1_000))
                .withCommitMarker("sink/run", 7, 1_000, 60_000)
                .withRollup(SeqNo.of(2), second)
                .nextVersion(1_001, VERSION);
        ProtoStateDiff diff = StateDiff.between(v1, v2, second.key());
        assertThat(diff.getSeqnoFrom()).isEqualTo(1);
        assertThat(diff.getSeqnoTo()).isEqualTo(2);
        assertThat(diff.getLatestRollupKey()).isEqualTo(second.key().toString());
        assertThat(diff.getApplierVersion()).isEqualTo(VERSION.toString());

        ProtoStateFieldDiffs fields = diff.getFieldDiffs();
        // Persist's order of fields; ours (commit markers) last.
        assertThat(fields.getFieldsList()).containsExactly(ProtoStateField.ROLLUPS, ProtoStateField.WRITERS,
                ProtoStateField.LEGACY_BATCHES, ProtoStateField.COMMIT_MARKERS);
        assertThat(fields.getFieldsList().stream().map(ProtoStateField::getNumber)).containsExactly(8, 3, 5, 100001);
        assertThat(fields.getDiffTypesList()).containsOnly(ProtoStateFieldDiffType.INSERT);
        assertThat(ProtoStateFieldDiffType.INSERT.getNumber()).isZero();
        List<ByteString> slices = slices(fields);
        assertThat(slices).hasSize(8);
        assertThat(UInt64Value.parseFrom(slices.get(0)).getValue()).isEqualTo(2);
        assertThat(ProtoHollowRollup.parseFrom(slices.get(1)).getKey()).isEqualTo(second.key().toString());
        assertThat(StringValue.parseFrom(slices.get(2)).getValue()).isEqualTo(writer.toString());
        assertThat(ProtoWriterState.parseFrom(slices.get(3)).getMostRecentWriteUpper().getElements(0)).isEqualTo(5);
        assertThat(ProtoHollowBatch.parseFrom(slices.get(4))).isEqualTo(batch.toProto());
        assertThat(slices.get(5)).isEmpty();
        assertThat(StringValue.parseFrom(slices.get(6)).getValue()).isEqualTo("sink/run");
        assertThat(ProtoCommitMarker.parseFrom(slices.get(7)).getCheckpointId()).isEqualTo(7);
    }

    private static List<ByteString> slices(ProtoStateFieldDiffs fields) {
        List<ByteString> slices = new ArrayList<>();
        int offset = 0;
        for (long len : fields.getDataLensList()) {
            slices.add(fields.getDataBytes().substring(offset, offset + (int) len));
            offset += (int) len;
        }
        assertThat(offset).isEqualTo(fields.getDataBytes().size());
        return slices;
    }

    private static ProtoStateDiff parse(byte[] bytes) {
        try {
            return ProtoStateDiff.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static ShardState randomChange(ShardState state, Random random) {
        ShardState next = state;
        int changes = 1 + random.nextInt(3);
        for (int c = 0; c < changes; c++) {
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    long lower = next.upper().element().orElseThrow();
                    next = next.withAppended(batch(lower, lower + 1 + random.nextInt(5)));
                }
                case 2 -> next = next.withWriter(pick(new ArrayList<>(next.writers().keySet()), random, WriterId::random),
                        WriterState.registered(random.nextInt(1_000), 60_000)
                                .wrote(IdempotencyToken.random(), next.upper(), random.nextInt(1_000)));
                case 3 -> {
                    if (!next.writers().isEmpty()) {
                        next = next.withoutWriter(next.writers().firstKey());
                    }
                }
                case 4 -> next = next.withReader(pick(new ArrayList<>(next.readers().keySet()), random, LeasedReaderId::random),
                        new ReaderState(Frontier.of(next.since().element().orElse(0) + random.nextInt(3)), next.seqNo(),
                                random.nextInt(1_000), 3_600_000));
                case 5 -> {
                    if (!next.readers().isEmpty()) {
                        next = next.withoutReader(next.readers().lastKey());
                    }
                }
                case 6 -> next = next.withCommitMarker("sink/run-" + random.nextInt(3), random.nextInt(10),
                        random.nextInt(1_000), 1_000_000);
                case 7 -> {
                    SeqNo at = next.seqNo();
                    next = random.nextBoolean() ? next.withRollup(at, rollup(at.value()))
                            : next.withActiveRollup(new ActiveRollup(at, random.nextInt(1_000)));
                }
                default -> {
                    if (next.rollups().size() > 1) {
                        next = next.withoutRollupsBelow(next.rollups().lastKey());
                    }
                }
            }
        }
        return next;
    }

    private static <T> T pick(List<T> existing, Random random, java.util.function.Supplier<T> fresh) {
        return existing.isEmpty() || random.nextBoolean() ? fresh.get() : existing.get(random.nextInt(existing.size()));
    }

    private static HollowRollup rollup(long seqNo) {
        return new HollowRollup(new PartialRollupKey(SeqNo.of(seqNo), RollupId.random()), OptionalLong.of(seqNo * 100));
    }

    private static HollowBatch batch(long lower, long upper) {
        BatchPart part = BatchPart.hollow(new PartialBatchKey(WriterKey.current(), PartId.random()), 100 + lower,
                new byte[] {(byte) lower}, upper - lower, null);
        return HollowBatch.of(Description.of(Frontier.of(lower), Frontier.of(upper)), List.of(part), upper - lower,
                List.of(), List.of());
    }
}
