package io.flinkpersist.persist.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import com.google.protobuf.UInt64Value;
import io.flinkpersist.persist.QuotedInput;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.CriticalReaderId;
import io.flinkpersist.persist.ids.LeasedReaderId;
import io.flinkpersist.persist.ids.MalformedIdException;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.proto.diff.ProtoStateField;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffType;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffs;
import io.flinkpersist.persist.proto.state.ProtoActiveRollup;
import io.flinkpersist.persist.proto.state.ProtoCommitMarker;
import io.flinkpersist.persist.proto.state.ProtoCriticalReaderState;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowRollup;
import io.flinkpersist.persist.proto.state.ProtoLeasedReaderState;
import io.flinkpersist.persist.proto.state.ProtoU64Antichain;
import io.flinkpersist.persist.proto.state.ProtoWriterState;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The change from one version of a shard's state to the next as persist's {@code ProtoStateDiff}: what each
 * consensus version holds. A diff lists, per state field, the entries inserted, deleted or updated with their
 * old and new values, so applying it checks that it fits the version it follows instead of trusting it.
 *
 * <p>Keys and values are the persist messages of each field; scalar keys are encoded as the
 * {@code google.protobuf} wrapper messages, unit keys and values as empty bytes, as persist's prost encoding has
 * them.
 */
public final class StateDiff {
    private static final byte[] UNIT = new byte[0];

    private StateDiff() {}

    /** The diff that turns {@code from} into {@code to}, naming {@code latestRollup} as every diff does. */
    public static ProtoStateDiff between(ShardState from, ShardState to, PartialRollupKey latestRollup) {
        Entries out = new Entries();
        diffMap(out, ProtoStateField.ROLLUPS, from.rollups(), to.rollups(), StateDiff::seqNoKey,
                r -> StateProtos.rollup(r).toByteArray());
        diffOptional(out, ProtoStateField.ACTIVE_ROLLUP, from.activeRollup(), to.activeRollup(),
                a -> StateProtos.activeRollup(a).toByteArray());
        diffMap(out, ProtoStateField.LEASED_READERS, from.readers(), to.readers(), id -> stringKey(id.toString()),
                r -> StateProtos.reader(r).toByteArray());
        diffMap(out, ProtoStateField.CRITICAL_READERS, from.criticalReaders(), to.criticalReaders(),
                id -> stringKey(id.toString()), r -> StateProtos.criticalReader(r).toByteArray());
        diffMap(out, ProtoStateField.WRITERS, from.writers(), to.writers(), id -> stringKey(id.toString()),
                w -> StateProtos.writer(w).toByteArray());
        if (!from.since().equals(to.since())) {
            out.add(ProtoStateField.SINCE, ProtoStateFieldDiffType.UPDATE, UNIT,
                    FrontierProtos.toStateAntichain(from.since()).toByteArray(),
                    FrontierProtos.toStateAntichain(to.since()).toByteArray());
        }
        diffBatches(out, from.batches(), to.batches());
        diffMap(out, ProtoStateField.COMMIT_MARKERS, from.commitMarkers(), to.commitMarkers(), StateDiff::stringKey,
                m -> StateProtos.marker(m).toByteArray());
        return ProtoStateDiff.newBuilder()
                .setApplierVersion(to.applierVersion().toString())
                .setSeqnoFrom(from.seqNo().value())
                .setSeqnoTo(to.seqNo().value())
                .setWalltimeMs(to.walltimeMs())
                .setLatestRollupKey(latestRollup.toString())
                .setFieldDiffs(out.build())
                .build();
    }

    /** Whether {@code diff} deletes or updates a batch: the only way a state lets go of parts. */
    static boolean removesBatches(ProtoStateDiff diff) {
        ProtoStateFieldDiffs fields = diff.getFieldDiffs();
        for (int i = 0; i < fields.getFieldsCount() && i < fields.getDiffTypesCount(); i++) {
            if (fields.getFields(i) == ProtoStateField.LEGACY_BATCHES
                    && fields.getDiffTypes(i) != ProtoStateFieldDiffType.INSERT) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code from} with {@code diff} applied. Checks what the diff says of itself and the entries it changes, not
     * the whole state it leads to (O(diff), see {@link StateInvariants}).
     *
     * @throws CorruptStateException if the diff does not follow {@code from}'s version, or a change does not
     *     fit: an insert of an entry that exists, a delete or update whose old value is not the current one, a
     *     field this build does not keep, or bytes that do not decode; if its walltime does not move forward (every
     *     version's does, in persist too; a diff cut short loses it, as it is written last) or the rollup it names
     *     is not the newest one of the state it leads to
     */
    public static ShardState apply(ShardState from, ProtoStateDiff diff) {
        SeqNo to = SeqNo.of(diff.getSeqnoTo());
        if (diff.getSeqnoFrom() != from.seqNo().value() || diff.getSeqnoTo() != diff.getSeqnoFrom() + 1) {
            throw new CorruptStateException(from.shardId(), to, "it is a diff from v" + diff.getSeqnoFrom() + " to v"
                    + diff.getSeqnoTo() + ", applied to v" + from.seqNo().value());
        }
        if (diff.getWalltimeMs() <= from.walltimeMs()) {
            throw new CorruptStateException(from.shardId(), to, "its walltime " + diff.getWalltimeMs()
                    + " ms is not after the walltime " + from.walltimeMs() + " ms of v" + from.seqNo().value());
        }
        PartialRollupKey named = latestRollupKey(from.shardId(), diff);
        ShardState applied = new Applying(from, to).apply(diff);
        PartialRollupKey newest = applied.latestRollup().map(e -> e.getValue().key()).orElse(null);
        if (!named.equals(newest)) {
            throw new CorruptStateException(from.shardId(), to, "it names the rollup " + named
                    + ", but the newest rollup of the state it leads to is " + newest);
        }
        return applied;
    }

    /**
     * The newest rollup {@code diff} names, as every diff does.
     *
     * @throws CorruptStateException if it names none or its key is malformed
     */
    static PartialRollupKey latestRollupKey(ShardId shardId, ProtoStateDiff diff) {
        try {
            return PartialRollupKey.parse(diff.getLatestRollupKey());
        } catch (MalformedIdException e) {
            throw new CorruptStateException(shardId, SeqNo.of(diff.getSeqnoTo()), "its latest rollup key is "
                    + "missing or malformed: " + e.getMessage(), e);
        }
    }

    /** The mutable copy of a state a diff is applied to. */
    private static final class Applying {
        private final ShardState from;
        private final SeqNo to;
        private final SortedMap<SeqNo, HollowRollup> rollups;
        private Optional<ActiveRollup> activeRollup;
        private final SortedMap<LeasedReaderId, ReaderState> readers;
        private final SortedMap<CriticalReaderId, CriticalReaderState> criticalReaders;
        private final SortedMap<WriterId, WriterState> writers;
        private Frontier since;
        private List<HollowBatch> batches;
        private final List<HollowBatch> insertedBatches = new ArrayList<>();
        private final SortedMap<String, CommitMarkerState> markers;

        Applying(ShardState from, SeqNo to) {
            this.from = from;
            this.to = to;
            this.rollups = new TreeMap<>(from.rollups());
            this.activeRollup = from.activeRollup();
            this.readers = new TreeMap<>(from.readers());
            this.criticalReaders = new TreeMap<>(from.criticalReaders());
            this.writers = new TreeMap<>(from.writers());
            this.since = from.since();
            this.batches = from.batches();
            this.markers = new TreeMap<>(from.commitMarkers());
        }

        ShardState apply(ProtoStateDiff diff) {
            ProtoStateFieldDiffs fields = diff.getFieldDiffs();
            if (fields.getFieldsCount() != fields.getDiffTypesCount()) {
                throw corrupt("it lists " + fields.getFieldsCount() + " fields but " + fields.getDiffTypesCount() + " diff types");
            }
            Slices slices = new Slices(fields, this::corrupt);
            for (int i = 0; i < fields.getFieldsCount(); i++) {
                ProtoStateField field = fields.getFields(i);
                ProtoStateFieldDiffType type = fields.getDiffTypes(i);
                if (field == ProtoStateField.UNRECOGNIZED || type == ProtoStateFieldDiffType.UNRECOGNIZED) {
                    throw corrupt("change " + i + " has field " + fields.getFieldsValue(i) + " and type "
                            + fields.getDiffTypesValue(i) + ", which this build does not know");
                }
                byte[] key = slices.next();
                byte[] before = type == ProtoStateFieldDiffType.INSERT ? null : slices.next();
                byte[] after = type == ProtoStateFieldDiffType.DELETE ? null : slices.next();
                Change change = new Change(field, type, key, before, after);
                switch (field) {
                    case ROLLUPS -> applyMap(rollups, change, k -> SeqNo.of(UInt64Value.parseFrom(k).getValue()),
                            v -> StateProtos.rollup(ProtoHollowRollup.parseFrom(v)));
                    case ACTIVE_ROLLUP -> activeRollup = applyOptional(activeRollup, change,
                            v -> StateProtos.activeRollup(ProtoActiveRollup.parseFrom(v)));
                    case LEASED_READERS -> applyMap(readers, change, k -> LeasedReaderId.parse(StringValue.parseFrom(k).getValue()),
                            v -> StateProtos.reader(ProtoLeasedReaderState.parseFrom(v)));
                    case CRITICAL_READERS -> applyMap(criticalReaders, change,
                            k -> CriticalReaderId.parse(StringValue.parseFrom(k).getValue()),
                            v -> StateProtos.criticalReader(ProtoCriticalReaderState.parseFrom(v)));
                    case WRITERS -> applyMap(writers, change, k -> WriterId.parse(StringValue.parseFrom(k).getValue()),
                            v -> StateProtos.writer(ProtoWriterState.parseFrom(v)));
                    case SINCE -> since = applyOptional(Optional.of(since), change,
                            v -> FrontierProtos.fromStateAntichain(ProtoU64Antichain.parseFrom(v)))
                            .orElseThrow(() -> corrupt("it deletes the since"));
                    case LEGACY_BATCHES -> applyBatch(change);
                    case COMMIT_MARKERS -> applyMap(markers, change, k -> StringValue.parseFrom(k).getValue(),
                            v -> StateProtos.marker(ProtoCommitMarker.parseFrom(v)));
                    default -> throw corrupt("it changes " + field + ", which this build does not keep");
                }
            }
            slices.requireConsumed();
            insertBatches();
            BuildVersion version;
            try {
                version = BuildVersion.parse(diff.getApplierVersion().isEmpty() ? "0.0.0" : diff.getApplierVersion());
            } catch (MalformedIdException e) {
                throw corrupt("its applier version " + QuotedInput.of(diff.getApplierVersion()) + " is not a version", e);
            }
            return new ShardState(from.shardId(), to, diff.getWalltimeMs(), version, from.codecs(), since, batches,
                    writers, readers, criticalReaders, markers, rollups, activeRollup);
        }

        private <K, V> void applyMap(SortedMap<K, V> map, Change change, Decoder<K> keys, Decoder<V> values) {
            K key = decode(change, "key", change.key, keys);
            V current = map.get(key);
            if (change.type == ProtoStateFieldDiffType.INSERT) {
                if (current != null) {
                    throw corrupt(change + " inserts " + QuotedInput.of(key) + ", which is already there");
                }
            } else {
                V before = decode(change, "old value", change.before, values);
                if (!before.equals(current)) {
                    throw corrupt(change + " replaces " + QuotedInput.of(key) + " = " + QuotedInput.of(before)
                            + ", but it is " + QuotedInput.of(current));
                }
            }
            if (change.type == ProtoStateFieldDiffType.DELETE) {
                map.remove(key);
            } else {
                map.put(key, decode(change, "new value", change.after, values));
            }
        }

        private <V> Optional<V> applyOptional(Optional<V> current, Change change, Decoder<V> values) {
            if (change.key.length != 0) {
                throw corrupt(change + " has a key, but its field has none");
            }
            if (change.type == ProtoStateFieldDiffType.INSERT) {
                if (current.isPresent()) {
                    throw corrupt(change + " inserts a value, but there is one: " + QuotedInput.of(current.get()));
                }
            } else {
                V before = decode(change, "old value", change.before, values);
                if (!current.equals(Optional.of(before))) {
                    throw corrupt(change + " replaces " + QuotedInput.of(before) + ", but the value is "
                            + QuotedInput.of(current.orElse(null)));
                }
            }
            return change.type == ProtoStateFieldDiffType.DELETE ? Optional.empty()
                    : Optional.of(decode(change, "new value", change.after, values));
        }

        private void applyBatch(Change change) {
            if (change.type == ProtoStateFieldDiffType.UPDATE
                    || (change.type == ProtoStateFieldDiffType.INSERT ? change.after : change.before).length != 0) {
                throw corrupt(change + ": a batch is only inserted or deleted, with no value");
            }
            HollowBatch batch = decode(change, "batch", change.key, k -> HollowBatch.fromProto(ProtoHollowBatch.parseFrom(k)));
            if (change.type == ProtoStateFieldDiffType.INSERT) {
                insertedBatches.add(batch);
                return;
            }
            int at = indexOfLower(batches, batch.desc().lower());
            if (at < 0 || !batches.get(at).equals(batch)) {
                throw corrupt(change + " deletes the batch " + batch.desc() + ", which is not there");
            }
            List<HollowBatch> updated = new ArrayList<>(batches);
            updated.remove(at);
            batches = updated;
        }

        /** Inserts come after every delete, so a diff may replace batches in any order. */
        private void insertBatches() {
            if (insertedBatches.isEmpty()) {
                return;
            }
            List<HollowBatch> updated = new ArrayList<>(batches);
            for (HollowBatch batch : insertedBatches) {
                int at = indexOfLower(updated, batch.desc().lower());
                if (at >= 0) {
                    throw corrupt("it inserts the batch " + batch.desc() + ", but a batch starting there is already present");
                }
                updated.add(-at - 1, batch);
            }
            batches = updated;
        }

        private <T> T decode(Change change, String what, byte[] bytes, Decoder<T> decoder) {
            try {
                return decoder.decode(bytes);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                throw corrupt("the " + what + " of " + change + " does not decode: " + QuotedInput.of(e.getMessage()), e);
            }
        }

        private CorruptStateException corrupt(String detail) {
            return new CorruptStateException(from.shardId(), to, detail);
        }

        private CorruptStateException corrupt(String detail, Throwable cause) {
            return new CorruptStateException(from.shardId(), to, detail, cause);
        }
    }

    /** Batches are contiguous, so their lowers are distinct and ascending: a batch is found by its lower. */
    private static int indexOfLower(List<HollowBatch> batches, Frontier lower) {
        int low = 0;
        int high = batches.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int cmp = batches.get(mid).desc().lower().compareTo(lower);
            if (cmp < 0) {
                low = mid + 1;
            } else if (cmp > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private record Change(ProtoStateField field, ProtoStateFieldDiffType type, byte[] key, byte[] before, byte[] after) {
        @Override
        public String toString() {
            return type + " of " + field;
        }
    }

    /** Reads the key and value slices of a diff in order. */
    private static final class Slices {
        private final ProtoStateFieldDiffs fields;
        private final ByteString data;
        private final Function<String, CorruptStateException> corrupt;
        private int index;
        private long offset;

        Slices(ProtoStateFieldDiffs fields, Function<String, CorruptStateException> corrupt) {
            this.fields = fields;
            this.data = fields.getDataBytes();
            this.corrupt = corrupt;
        }

        byte[] next() {
            if (index >= fields.getDataLensCount()) {
                throw corrupt.apply("it has fewer data slices (" + fields.getDataLensCount() + ") than its changes need");
            }
            long len = fields.getDataLens(index++);
            if (len < 0 || offset + len > data.size()) {
                throw corrupt.apply("its data slice " + (index - 1) + " of " + len + " bytes at " + offset
                        + " runs past its " + data.size() + " data bytes");
            }
            byte[] slice = data.substring((int) offset, (int) (offset + len)).toByteArray();
            offset += len;
            return slice;
        }

        void requireConsumed() {
            if (index != fields.getDataLensCount() || offset != data.size()) {
                throw corrupt.apply("it has " + (fields.getDataLensCount() - index) + " data slices and "
                        + (data.size() - offset) + " data bytes no change uses");
            }
        }
    }

    /** The columns of a {@link ProtoStateFieldDiffs} being written. */
    private static final class Entries {
        private final ProtoStateFieldDiffs.Builder builder = ProtoStateFieldDiffs.newBuilder();
        private final ByteString.Output data = ByteString.newOutput();

        void add(ProtoStateField field, ProtoStateFieldDiffType type, byte[] key, byte[]... values) {
            builder.addFields(field).addDiffTypes(type);
            slice(key);
            for (byte[] value : values) {
                slice(value);
            }
        }

        private void slice(byte[] bytes) {
            builder.addDataLens(bytes.length);
            data.write(bytes, 0, bytes.length);
        }

        ProtoStateFieldDiffs build() {
            return builder.setDataBytes(data.toByteString()).build();
        }
    }

    private static <K, V> void diffMap(Entries out, ProtoStateField field, SortedMap<K, V> from, SortedMap<K, V> to,
            Function<K, byte[]> key, Function<V, byte[]> value) {
        if (from == to) {
            return;
        }
        for (Map.Entry<K, V> e : from.entrySet()) {
            V now = to.get(e.getKey());
            if (now == null) {
                out.add(field, ProtoStateFieldDiffType.DELETE, key.apply(e.getKey()), value.apply(e.getValue()));
            } else if (!now.equals(e.getValue())) {
                out.add(field, ProtoStateFieldDiffType.UPDATE, key.apply(e.getKey()), value.apply(e.getValue()),
                        value.apply(now));
            }
        }
        for (Map.Entry<K, V> e : to.entrySet()) {
            if (!from.containsKey(e.getKey())) {
                out.add(field, ProtoStateFieldDiffType.INSERT, key.apply(e.getKey()), value.apply(e.getValue()));
            }
        }
    }

    private static <V> void diffOptional(Entries out, ProtoStateField field, Optional<V> from, Optional<V> to,
            Function<V, byte[]> value) {
        if (from.equals(to)) {
            return;
        }
        if (from.isEmpty()) {
            out.add(field, ProtoStateFieldDiffType.INSERT, UNIT, value.apply(to.get()));
        } else if (to.isEmpty()) {
            out.add(field, ProtoStateFieldDiffType.DELETE, UNIT, value.apply(from.get()));
        } else {
            out.add(field, ProtoStateFieldDiffType.UPDATE, UNIT, value.apply(from.get()), value.apply(to.get()));
        }
    }

    /**
     * Batches change at the end (appends) or are replaced as a whole range (a merge), so the lists are compared
     * past their common prefix and suffix only; the batch is the key, with no value.
     */
    private static void diffBatches(Entries out, List<HollowBatch> from, List<HollowBatch> to) {
        int shorter = Math.min(from.size(), to.size());
        int prefix = 0;
        while (prefix < shorter && same(from.get(prefix), to.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < shorter - prefix && same(from.get(from.size() - 1 - suffix), to.get(to.size() - 1 - suffix))) {
            suffix++;
        }
        List<HollowBatch> removed = from.subList(prefix, from.size() - suffix);
        List<HollowBatch> added = to.subList(prefix, to.size() - suffix);
        Set<HollowBatch> kept = new HashSet<>(added);
        kept.retainAll(new HashSet<>(removed));
        for (HollowBatch batch : removed) {
            if (!kept.contains(batch)) {
                out.add(ProtoStateField.LEGACY_BATCHES, ProtoStateFieldDiffType.DELETE, batch.toProto().toByteArray(), UNIT);
            }
        }
        for (HollowBatch batch : added) {
            if (!kept.contains(batch)) {
                out.add(ProtoStateField.LEGACY_BATCHES, ProtoStateFieldDiffType.INSERT, batch.toProto().toByteArray(), UNIT);
            }
        }
    }

    private static boolean same(HollowBatch a, HollowBatch b) {
        return a == b || a.equals(b);
    }

    private static byte[] seqNoKey(SeqNo seqNo) {
        return UInt64Value.of(seqNo.value()).toByteArray();
    }

    private static byte[] stringKey(String value) {
        return StringValue.of(value).toByteArray();
    }
}
