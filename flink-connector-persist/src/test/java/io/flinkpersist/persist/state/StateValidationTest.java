package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.LeasedReaderId;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.RollupId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowRollup;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.proto.state.ProtoRunMeta;
import io.flinkpersist.persist.proto.state.ProtoU64Antichain;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * A state value without an integrity header (as persist and earlier builds write it) that decodes but breaks an
 * invariant of a state is refused with a {@link CorruptStateException} naming the shard, the version and what
 * is wrong; text quoted from the value is bounded and escaped.
 */
class StateValidationTest {
    private static final ShardId SHARD = ShardId.of(UUID.fromString("15150000-0000-4000-8000-000000000004"));
    private static final BuildVersion VERSION = BuildVersion.current();
    private static final WriterId WRITER = WriterId.of(UUID.fromString("15150000-0000-4000-8000-00000000000a"));
    private static final LeasedReaderId READER = LeasedReaderId.parse("r15150000-0000-4000-8000-00000000000b");
    private static final ShardState STATE = state();

    /** Version 6: three batches [0,10) [10,20) [20,30), a writer at 30, a reader at since 5 holding v4. */
    private static ShardState state() {
        ShardState state = ShardState.initial(SHARD, Codecs.of("utf8", "utf8"), VERSION, 1_000)
                .withRollup(SeqNo.of(1), rollup(1));
        for (int i = 0; i < 3; i++) {
            state = state.withAppended(HollowBatch.of(Description.of(Frontier.of(10L * i), Frontier.of(10L * i + 10)),
                    List.of(), 0, List.of(), List.of())).nextVersion(2_000 + i, VERSION);
        }
        state = state.withWriter(WRITER, WriterState.registered(1_000, 60_000).wrote(IdempotencyToken.random(), Frontier.of(30), 1_000))
                .withReader(READER, new ReaderState(Frontier.of(5), SeqNo.of(4), 1_000, 60_000))
                .withRollup(SeqNo.of(5), rollup(5))
                .nextVersion(3_000, VERSION)
                .nextVersion(3_001, VERSION);
        assertThat(state.seqNo()).isEqualTo(SeqNo.of(6));
        return state;
    }

    private static HollowRollup rollup(long seqNo) {
        return new HollowRollup(new PartialRollupKey(SeqNo.of(seqNo), RollupId.random()), OptionalLong.empty());
    }

    @Test
    void theStateDecodesWithAndWithoutHeader() {
        assertThat(StateCodec.decode(SHARD, SeqNo.of(6), StateCodec.encode(STATE))).isEqualTo(STATE);
        assertThat(StateCodec.decode(SHARD, SeqNo.of(6), unsealed(r -> r))).isEqualTo(STATE);
    }

    @Test
    void batchesMustBeContiguousFromTheMinimum() {
        assertRefused(unsealed(r -> withBatches(r, 0, 2)), "batch 1 of 2 is (lower=[20]", "must start at [10]");
        assertRefused(unsealed(r -> withBatches(r, 1, 2)), "batch 0 of 2 is (lower=[10]", "must start at [0]");
    }

    @Test
    void aWriterCannotHaveAppendedPastTheUpper() {
        assertRefused(unsealed(r -> withBatches(r, 0, 1)), "writer " + WRITER + " appended up to [30], past the shard's upper [20]");
    }

    @Test
    void theSinceIsNotPastAReadersSince() {
        assertRefused(unsealed(r -> r.toBuilder().setTrace(r.getTrace().toBuilder().setSince(antichain(6))).build()),
                "its since [6] is past the since [5] of reader " + READER);
    }

    @Test
    void seqnosAgree() {
        assertRefused(SeqNo.of(7), StateCodec.encode(STATE), "state version v7", "it holds the state of v6");
        assertRefused(unsealed(r -> r.toBuilder().putLeasedReaders(READER.toString(),
                r.getLeasedReadersOrThrow(READER.toString()).toBuilder().setSeqno(9).build()).build()),
                "reader " + READER + " holds v9, a later version");
        PartialRollupKey other = rollup(3).key();
        assertRefused(unsealed(r -> r.toBuilder().putRollups(5, ProtoHollowRollup.newBuilder().setKey(other.toString()).build())
                .build()), "it records the rollup " + other + " as the one of v5");
        assertRefused(unsealed(r -> r.toBuilder().putRollups(8, ProtoHollowRollup.newBuilder().setKey(rollup(8).key().toString())
                .build()).build()), "as the one of v8");
    }

    @Test
    void enumValuesMustBeKnown() {
        assertRefused(unsealed(r -> {
            ProtoHollowBatch batch = r.getTrace().getLegacyBatches(1).toBuilder()
                    .addRunMeta(ProtoRunMeta.newBuilder().setOrderValue(99)).build();
            return r.toBuilder().setTrace(r.getTrace().toBuilder().setLegacyBatches(1, batch)).build();
        }), "has a run of order 99, which this build does not know");
    }

    @Test
    void requiredFieldsArePresent() {
        assertRefused(new byte[0], "it is the state of shard \"\"");
        assertRefused(unsealed(r -> r.toBuilder().clearKeyCodec().build()), "a field does not decode", "codec names");
    }

    @Test
    void aHeaderAnywhereButFirstIsRefused() {
        byte[] sealed = StateCodec.encode(STATE);
        ProtoRollup parsed = parse(sealed);
        // The same header, written where protobuf's builder puts it: after every other field.
        byte[] last = parsed.toByteArray();
        assertRefused(last, "an integrity header that is not its first field");
    }

    @Test
    void quotedInputIsBoundedAndEscaped() {
        String hostile = "s" + "\u001b[31m\n\r\t".repeat(50_000) + "x".repeat(1_000_000);
        Throwable thrown = catchCorrupt(SeqNo.of(6), unsealed(r -> r.toBuilder().setShardId(hostile).build()));
        assertThat(thrown.getMessage()).hasSizeLessThan(400).doesNotContainPattern("\\p{Cntrl}")
                .contains("it is the state of shard \"s\\u001b[31m\\u000a");
    }

    @Test
    void aDiffIsCheckedAlone() {
        ShardState next = STATE.withWriter(WriterId.random(), WriterState.registered(4_000, 60_000)).nextVersion(4_000, VERSION);
        PartialRollupKey newest = rollup(5).key();
        ProtoStateDiff diff = StateDiff.between(STATE, next, STATE.latestRollup().orElseThrow().getValue().key());
        assertThat(StateDiff.apply(STATE, diff)).isEqualTo(next);
        assertDiffRefused(diff.toBuilder().clearWalltimeMs().build(), "its walltime 0 ms is not after the walltime 3001 ms of v6");
        assertDiffRefused(diff.toBuilder().setWalltimeMs(3_001).build(), "is not after");
        assertDiffRefused(diff.toBuilder().clearLatestRollupKey().build(), "its latest rollup key is missing or malformed");
        assertDiffRefused(diff.toBuilder().setLatestRollupKey(newest.toString()).build(), "it names the rollup " + newest
                + ", but the newest rollup of the state it leads to is " + STATE.latestRollup().orElseThrow().getValue().key());
        assertDiffRefused(diff.toBuilder().setApplierVersion("1.0\n" + "9".repeat(10_000)).build(),
                "its applier version \"1.0\\u000a999");
    }

    private static void assertDiffRefused(ProtoStateDiff diff, String detail) {
        assertThatThrownBy(() -> StateDiff.apply(STATE, diff)).isInstanceOfSatisfying(CorruptStateException.class, e -> {
            assertThat(e.shardId()).isEqualTo(SHARD);
            assertThat(e.seqNo()).isEqualTo(SeqNo.of(7));
            assertThat(e.getMessage()).contains(detail).hasSizeLessThan(1_000).doesNotContainPattern("\\p{Cntrl}");
        });
    }

    private static void assertRefused(byte[] value, String... details) {
        assertRefused(SeqNo.of(6), value, details);
    }

    private static void assertRefused(SeqNo seqNo, byte[] value, String... details) {
        Throwable thrown = catchCorrupt(seqNo, value);
        assertThat(((CorruptStateException) thrown).shardId()).isEqualTo(SHARD);
        assertThat(((CorruptStateException) thrown).seqNo()).isEqualTo(seqNo);
        assertThat(thrown.getMessage()).contains("state version " + seqNo + " of shard " + SHARD + " is corrupt")
                .contains(details);
    }

    private static Throwable catchCorrupt(SeqNo seqNo, byte[] value) {
        ThrowingCallable decode = () -> StateCodec.decode(SHARD, seqNo, value);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(decode);
        assertThat(thrown).isInstanceOf(CorruptStateException.class);
        return thrown;
    }

    /** {@link #STATE} as persist or an earlier build writes it (no header), changed by {@code change}. */
    private static byte[] unsealed(UnaryOperator<ProtoRollup> change) {
        return change.apply(parse(StateCodec.encode(STATE)).toBuilder().clearIntegrity().build()).toByteArray();
    }

    private static ProtoRollup withBatches(ProtoRollup rollup, int... keep) {
        ProtoRollup.Builder b = rollup.toBuilder();
        b.getTraceBuilder().clearLegacyBatches();
        for (int i : keep) {
            b.getTraceBuilder().addLegacyBatches(rollup.getTrace().getLegacyBatches(i));
        }
        return b.build();
    }

    private static ProtoU64Antichain antichain(long element) {
        return ProtoU64Antichain.newBuilder().addElements(element).build();
    }

    private static ProtoRollup parse(byte[] bytes) {
        try {
            return ProtoRollup.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
