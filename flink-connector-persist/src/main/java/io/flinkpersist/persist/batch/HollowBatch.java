package io.flinkpersist.persist.batch;

import com.google.protobuf.UnknownFieldSet;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.state.ProtoRunMeta;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A batch as recorded in shard state: its description, its parts in order, its number of updates and where
 * each sorted run of parts starts. Immutable; a view over {@link ProtoHollowBatch} so that unknown fields
 * survive. Part stats of earlier builds' layout are rewritten in persist's when a batch is made.
 */
public final class HollowBatch {
    private final ProtoHollowBatch proto;
    private final Description desc;
    private final List<BatchPart> parts;

    private HollowBatch(ProtoHollowBatch proto) {
        this.proto = withUpgradedStats(proto);
        this.desc = FrontierProtos.fromStateDescription(proto.getDesc());
        List<BatchPart> list = new ArrayList<>(proto.getPartsCount());
        for (ProtoHollowBatchPart part : this.proto.getPartsList()) {
            list.add(new BatchPart(part));
        }
        this.parts = List.copyOf(list);
        List<Long> runs = proto.getRunsList();
        for (int i = 0; i < runs.size(); i++) {
            long split = runs.get(i);
            if (split <= 0 || split >= parts.size() || i > 0 && split <= runs.get(i - 1)) {
                // The split at fault, not the list: a corrupt batch may list very many.
                throw new IllegalArgumentException("invalid run split " + Long.toUnsignedString(split) + " at " + i
                        + " of " + runs.size() + " for " + parts.size()
                        + " parts: each must be in (0, parts) and strictly increasing");
            }
        }
    }

    /**
     * {@code proto} with the part stats of earlier builds in persist's layout ({@link LegacyPartStats}), so that every
     * batch held, from a state, a diff or a transmittable batch, has only those; {@code proto} itself if none has any.
     * A state's batches then compare equal whichever build wrote them, and diffs between states stay exact.
     */
    private static ProtoHollowBatch withUpgradedStats(ProtoHollowBatch proto) {
        ProtoHollowBatch.Builder upgraded = null;
        for (int i = 0; i < proto.getPartsCount(); i++) {
            ProtoHollowBatchPart part = proto.getParts(i);
            ProtoHollowBatchPart upgradedPart = LegacyPartStats.upgrade(part);
            if (upgradedPart != part) {
                if (upgraded == null) {
                    upgraded = proto.toBuilder();
                }
                upgraded.setParts(i, upgradedPart);
            }
        }
        return upgraded == null ? proto : upgraded.build();
    }

    /**
     * @param runOrders how each run is ordered, in run order; runs past the end of the list are
     *     {@link ProtoRunOrder#UNKNOWN}
     */
    public static HollowBatch of(Description desc, List<BatchPart> parts, long len, List<Integer> runSplits,
            List<ProtoRunOrder> runOrders) {
        ProtoHollowBatch.Builder b = ProtoHollowBatch.newBuilder()
                .setDesc(FrontierProtos.toStateDescription(desc))
                .setLen(len);
        parts.forEach(p -> b.addParts(p.proto()));
        runSplits.forEach(split -> b.addRuns(split));
        addRunMetas(b, runOrders.stream().map(order -> ProtoRunMeta.newBuilder().setOrder(order).build()).toList());
        return new HollowBatch(b.build());
    }

    /**
     * The batches one after another as one batch over {@code desc}: their parts in order, each batch's runs staying
     * runs of their own with all their metadata, and the fields of each batch that this build does not know (merged in
     * order), so that an append keeps everything a newer writer recorded.
     */
    public static HollowBatch concat(Description desc, List<HollowBatch> batches) {
        ProtoHollowBatch.Builder b = ProtoHollowBatch.newBuilder().setDesc(FrontierProtos.toStateDescription(desc));
        UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
        List<ProtoRunMeta> runMetas = new ArrayList<>();
        long len = 0;
        for (HollowBatch batch : batches) {
            unknown.mergeFrom(batch.proto.getUnknownFields());
            if (batch.parts.isEmpty()) {
                continue;
            }
            int offset = b.getPartsCount();
            // A new run starts where each batch's parts start.
            if (offset > 0) {
                b.addRuns(offset);
            }
            batch.runSplits().forEach(split -> b.addRuns(offset + split));
            for (int run = 0; run < batch.runCount(); run++) {
                runMetas.add(batch.runMeta(run));
            }
            batch.parts.forEach(p -> b.addParts(p.proto()));
            len += batch.len();
        }
        addRunMetas(b, runMetas);
        return new HollowBatch(b.setLen(len).setUnknownFields(unknown.build()).build());
    }

    /** Like persist, trailing entries that say nothing are left out; a reader pads them back. */
    private static void addRunMetas(ProtoHollowBatch.Builder b, List<ProtoRunMeta> runMetas) {
        int last = runMetas.size();
        while (last > 0 && runMetas.get(last - 1).equals(ProtoRunMeta.getDefaultInstance())) {
            last--;
        }
        b.addAllRunMeta(runMetas.subList(0, last));
    }

    public static HollowBatch fromProto(ProtoHollowBatch proto) {
        return new HollowBatch(Objects.requireNonNull(proto, "proto"));
    }

    public ProtoHollowBatch toProto() {
        return proto;
    }

    public Description desc() {
        return desc;
    }

    public List<BatchPart> parts() {
        return parts;
    }

    /** The number of updates in the batch. */
    public long len() {
        return proto.getLen();
    }

    /** Indices into {@link #parts()} where a new sorted run starts; empty: all parts form one run. */
    public List<Long> runSplits() {
        return proto.getRunsList();
    }

    /** The number of runs: none without parts, else one more than the splits. */
    public int runCount() {
        return parts.isEmpty() ? 0 : runSplits().size() + 1;
    }

    /** Whether the writer recorded the order of (some of) its runs. */
    public boolean recordsRunOrders() {
        return proto.getRunMetaCount() > 0;
    }

    /**
     * Whether every part is known to be sorted, as readers take it: every run is recorded as ordered by codec
     * bytes. A batch that records no run order at all (an older writer) is inferred as a whole, which is sound
     * for a batch of one builder: only a consolidating builder makes a run of several parts. In a batch that
     * records some orders, a run without one is taken as unordered: sorting a sorted part again costs time,
     * never correctness.
     */
    public boolean partsKnownSorted() {
        if (!recordsRunOrders()) {
            return runSplits().size() + 1 < parts().size();
        }
        for (int run = 0; run < runCount(); run++) {
            if (runOrder(run) != ProtoRunOrder.CODEC) {
                return false;
            }
        }
        return true;
    }

    /** How run {@code run} is ordered; {@link ProtoRunOrder#UNKNOWN} if the writer did not say. */
    public ProtoRunOrder runOrder(int run) {
        return runMeta(run).getOrder();
    }

    /**
     * Everything recorded about run {@code run}, fields this build does not know included; the empty entry if the
     * writer recorded none.
     */
    public ProtoRunMeta runMeta(int run) {
        return run < proto.getRunMetaCount() ? proto.getRunMeta(run) : ProtoRunMeta.getDefaultInstance();
    }

    /** Whether any part has been rewritten with {@link #rewriteTs}. */
    public boolean hasRewrite() {
        return parts.stream().anyMatch(p -> p.tsRewrite().isPresent());
    }

    /** Bytes of updates held inline in this batch's metadata. */
    public long inlineBytes() {
        return parts.stream().mapToLong(BatchPart::inlineBytes).sum();
    }

    /**
     * This batch without its inline parts (whose updates the caller moved elsewhere, {@code inlineUpdates} of
     * them): each run keeps its blob parts in order, runs left empty go, and the run metadata stays with its runs;
     * fields this build does not know are kept.
     */
    public HollowBatch withoutInlineParts(long inlineUpdates) {
        if (parts.stream().noneMatch(BatchPart::isInline)) {
            return this;
        }
        ProtoHollowBatch.Builder b = proto.toBuilder().clearParts().clearRuns().clearRunMeta()
                .setLen(len() - inlineUpdates);
        List<ProtoRunMeta> runMetas = new ArrayList<>();
        List<Long> runs = runSplits();
        for (int run = 0; run < runCount(); run++) {
            int start = run == 0 ? 0 : Math.toIntExact(runs.get(run - 1));
            int end = run == runs.size() ? parts.size() : Math.toIntExact(runs.get(run));
            List<BatchPart> blobParts = parts.subList(start, end).stream().filter(p -> !p.isInline()).toList();
            if (blobParts.isEmpty()) {
                continue;
            }
            if (b.getPartsCount() > 0) {
                b.addRuns(b.getPartsCount());
            }
            runMetas.add(runMeta(run));
            blobParts.forEach(p -> b.addParts(p.proto()));
        }
        addRunMetas(b, runMetas);
        return new HollowBatch(b.build());
    }

    HollowBatch withParts(List<BatchPart> newParts) {
        ProtoHollowBatch.Builder b = proto.toBuilder().clearParts();
        newParts.forEach(p -> b.addParts(p.proto()));
        return new HollowBatch(b.build());
    }

    /**
     * Advances every time of this not-yet-appended batch to {@code frontier} and moves its upper to
     * {@code newUpper}: metadata only, recorded on each part as {@code ts_rewrite}. May be repeated, but
     * neither the frontier nor the upper may go back.
     *
     * @throws InvalidUsageException.InvalidRewrite naming the rule that was broken
     */
    public HollowBatch rewriteTs(Frontier frontier, Frontier newUpper) {
        if (!frontier.lessThan(newUpper)) {
            throw new InvalidUsageException.InvalidRewrite(
                    "rewrite frontier " + frontier + " is not less than rewrite upper " + newUpper);
        }
        if (newUpper.lessThan(desc.upper())) {
            throw new InvalidUsageException.InvalidRewrite(
                    "rewrite upper " + newUpper + " is less than batch upper " + desc.upper());
        }
        if (frontier.lessThan(desc.lower())) {
            throw new InvalidUsageException.InvalidRewrite(
                    "rewrite frontier " + frontier + " is less than batch lower " + desc.lower());
        }
        if (!desc.since().equals(Frontier.MINIMUM)) {
            throw new InvalidUsageException.InvalidRewrite(
                    "batch since " + desc.since() + " is not the minimum " + Frontier.MINIMUM);
        }
        List<BatchPart> rewritten = new ArrayList<>(parts.size());
        for (BatchPart part : parts) {
            if (part.isRunRef()) {
                throw new InvalidUsageException.InvalidRewrite("a spilled run " + part.printableName() + " cannot be rewritten");
            }
            Frontier previous = part.tsRewrite().orElse(null);
            if (previous != null && frontier.lessThan(previous)) {
                throw new InvalidUsageException.InvalidRewrite("rewrite frontier " + frontier
                        + " is less than the part's earlier rewrite frontier " + previous);
            }
            rewritten.add(part.withTsRewrite(frontier));
        }
        ProtoHollowBatch.Builder b = proto.toBuilder()
                .setDesc(FrontierProtos.toStateDescription(new Description(desc.lower(), newUpper, desc.since())))
                .clearParts();
        rewritten.forEach(p -> b.addParts(p.proto()));
        return new HollowBatch(b.build());
    }

    /**
     * Checks that {@code batch} may be appended as the interval {@code truncate}: it must cover the interval
     * (its lower at or below, its upper at or above). If any batch of the append was rewritten, no
     * truncation is allowed at all: the upper must match exactly and no part may hold data below the lower.
     */
    public static void validateTruncateBatch(HollowBatch batch, Description truncate, boolean anyBatchRewrite) {
        Description own = batch.desc();
        if (anyBatchRewrite) {
            if (!truncate.upper().equals(own.upper())) {
                throw new InvalidUsageException.InvalidRewrite("rewritten batch might have data past "
                        + truncate.upper() + " up to " + own.upper());
            }
            for (BatchPart part : batch.parts()) {
                Frontier partLowerBound = part.tsRewrite().orElse(own.lower());
                if (!truncate.lower().lessEqual(partLowerBound)) {
                    throw new InvalidUsageException.InvalidRewrite("rewritten batch might have data below "
                            + truncate.lower() + " at " + partLowerBound);
                }
            }
        }
        if (!own.lower().lessEqual(truncate.lower()) || own.upper().lessThan(truncate.upper())) {
            throw new InvalidUsageException.InvalidBatchBounds(own.lower(), own.upper(), truncate.lower(), truncate.upper());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HollowBatch other && other.proto.equals(proto);
    }

    @Override
    public int hashCode() {
        return proto.hashCode();
    }

    @Override
    public String toString() {
        return "HollowBatch{desc=" + desc + ", len=" + len() + ", parts=" + parts + ", runs=" + runSplits() + "}";
    }
}
