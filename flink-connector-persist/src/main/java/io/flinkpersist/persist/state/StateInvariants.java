package io.flinkpersist.persist.state;

import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.proto.state.ProtoRunMeta;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import java.util.Map;

/**
 * What every version of a shard's state satisfies, checked when a state is read rather than made: a value that
 * decodes but breaks one of these was damaged, or lost a change, and is refused instead of opened. One pass over
 * the state; a diff alone is checked by {@link StateDiff#apply}, the state it rebuilds once by the reader.
 *
 * <p>The since is not bounded by the upper: a reader may hold a since past the upper, as in persist.
 */
final class StateInvariants {
    private StateInvariants() {}

    /** @throws CorruptStateException naming the first invariant {@code state} breaks */
    static void check(ShardState state) {
        if (state.seqNo().value() < 1) {
            throw corrupt(state, "its seqno is " + state.seqNo().value() + "; versions start at 1");
        }
        checkBatches(state);
        Frontier upper = state.upper();
        state.writers().forEach((id, w) -> {
            if (!w.mostRecentWriteUpper().lessEqual(upper)) {
                throw corrupt(state, "writer " + id + " appended up to " + w.mostRecentWriteUpper()
                        + ", past the shard's upper " + upper + ": batches are missing");
            }
        });
        state.readers().forEach((id, r) -> {
            if (!state.since().lessEqual(r.since())) {
                throw corrupt(state, "its since " + state.since() + " is past the since " + r.since() + " of reader " + id);
            }
            if (r.seqNoHold().compareTo(state.seqNo()) > 0) {
                throw corrupt(state, "reader " + id + " holds " + r.seqNoHold() + ", a later version");
            }
        });
        state.criticalReaders().forEach((id, r) -> {
            if (!state.since().lessEqual(r.since())) {
                throw corrupt(state, "its since " + state.since() + " is past the since " + r.since()
                        + " of critical reader " + id);
            }
        });
        for (Map.Entry<SeqNo, HollowRollup> rollup : state.rollups().entrySet()) {
            if (!rollup.getValue().key().seqNo().equals(rollup.getKey()) || rollup.getKey().compareTo(state.seqNo()) > 0) {
                throw corrupt(state, "it records the rollup " + rollup.getValue().key() + " as the one of "
                        + rollup.getKey());
            }
        }
        state.activeRollup().ifPresent(active -> {
            if (active.seqNo().compareTo(state.seqNo()) > 0) {
                throw corrupt(state, "its active rollup is of " + active.seqNo() + ", a later version");
            }
        });
    }

    /** Batches are contiguous from the minimum: each starts where the one before ends; the last ends at the upper. */
    private static void checkBatches(ShardState state) {
        Frontier expectedLower = Frontier.MINIMUM;
        List<HollowBatch> batches = state.batches();
        for (int i = 0; i < batches.size(); i++) {
            HollowBatch batch = batches.get(i);
            if (!batch.desc().lower().equals(expectedLower) || !batch.desc().lower().lessEqual(batch.desc().upper())) {
                throw corrupt(state, "batch " + i + " of " + batches.size() + " is " + batch.desc() + ", but batches "
                        + "are contiguous from the minimum: it must start at " + expectedLower);
            }
            for (ProtoRunMeta meta : batch.toProto().getRunMetaList()) {
                if (meta.getOrder() == ProtoRunOrder.UNRECOGNIZED) {
                    throw corrupt(state, "batch " + batch.desc() + " has a run of order " + meta.getOrderValue()
                            + ", which this build does not know");
                }
            }
            expectedLower = batch.desc().upper();
        }
    }

    private static CorruptStateException corrupt(ShardState state, String detail) {
        return new CorruptStateException(state.shardId(), state.seqNo(), detail);
    }
}
