package io.flinkpersist.persist.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.stats.ProtoLegacyBytesBounds;
import io.flinkpersist.persist.proto.stats.ProtoLegacyColumnStats;
import io.flinkpersist.persist.proto.stats.ProtoLegacyPartStats;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import io.flinkpersist.persist.testutils.LegacyStatsEncoding;
import io.flinkpersist.persist.testutils.WrittenStatsLayout;
import java.util.Arrays;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The two layouts of part stats are told apart by structure alone: no stats of the earlier builds' layout pass as
 * this build's, and none of this build's as the earlier one's, except stats without columns, whose bytes mean the
 * same in both. Damaged bytes never pass both either, and whatever passes as legacy stats with columns is found by
 * the quick look that spares this build's stats a parse.
 */
class PartStatsLayoutPropertyTest {
    private static final String[] COLUMNS = {PartStats.KEY, PartStats.VALUE, PartStats.TIME, PartStats.DIFF};

    @Provide
    Arbitrary<ProtoLegacyPartStats> legacyStats() {
        Arbitrary<ByteString> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(5).map(ByteString::copyFrom);
        Arbitrary<ProtoLegacyColumnStats> byteColumn = Combinators.combine(bytes, bytes.optional())
                .as((lower, upper) -> {
                    ProtoLegacyBytesBounds.Builder bounds = ProtoLegacyBytesBounds.newBuilder().setLower(lower);
                    upper.ifPresent(bounds::setUpper);
                    return ProtoLegacyColumnStats.newBuilder().setBytes(bounds).build();
                });
        Arbitrary<ProtoLegacyColumnStats> i64Column = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as(LegacyStatsEncoding::i64);
        return Combinators.combine(Arbitraries.longs().greaterOrEqual(0), byteColumn.optional(), byteColumn.optional(),
                        i64Column.optional(), i64Column.optional())
                .as((len, k, v, t, d) -> {
                    ProtoLegacyPartStats.Builder stats = ProtoLegacyPartStats.newBuilder().setLen(len);
                    Optional<?>[] columns = {k, v, t, d};
                    for (int i = 0; i < COLUMNS.length; i++) {
                        String name = COLUMNS[i];
                        columns[i].ifPresent(c -> stats.putColumns(name, (ProtoLegacyColumnStats) c));
                    }
                    return stats.build();
                });
    }

    @Provide
    Arbitrary<ProtoStructStats> writtenStats() {
        Arbitrary<ByteString> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(5).map(ByteString::copyFrom);
        Arbitrary<ByteString[]> byteBounds = Combinators.combine(bytes, bytes).as((l, u) -> new ByteString[] {l, u});
        Arbitrary<long[]> i64Bounds = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as((l, u) -> new long[] {l, u});
        return Combinators.combine(Arbitraries.longs().greaterOrEqual(0), byteBounds.optional(), byteBounds.optional(),
                        i64Bounds.optional(), i64Bounds.optional())
                .as((len, k, v, t, d) -> {
                    ProtoStructStats.Builder stats = ProtoStructStats.newBuilder().setLen(len);
                    k.ifPresent(b -> PartStats.putBytes(stats, PartStats.KEY, b[0], b[1]));
                    v.ifPresent(b -> PartStats.putBytes(stats, PartStats.VALUE, b[0], b[1]));
                    t.ifPresent(b -> PartStats.putI64(stats, PartStats.TIME, b[0], b[1]));
                    d.ifPresent(b -> PartStats.putI64(stats, PartStats.DIFF, b[0], b[1]));
                    return stats.build();
                });
    }

    @Property(tries = 1000)
    void legacyStatsNeverPassAsWrittenOnesAndUpgradeWithTheirBounds(@ForAll("legacyStats") ProtoLegacyPartStats legacy) {
        ByteString bytes = legacy.toByteString();
        assertThat(LegacyPartStats.parse(bytes)).hasValue(legacy);
        if (legacy.getColumnsCount() == 0) {
            assertThat(WrittenStatsLayout.parse(bytes)).hasValue(ProtoStructStats.newBuilder().setLen(legacy.getLen()).build());
            return;
        }
        assertThat(WrittenStatsLayout.parse(bytes)).isEmpty();
        assertThat(LegacyPartStats.mayHoldLegacyColumn(bytes)).isTrue();

        ProtoStructStats upgraded = WrittenStatsLayout.parse(upgrade(bytes)).orElseThrow();
        assertThat(upgraded.getLen()).isEqualTo(legacy.getLen());
        legacy.getColumnsMap().forEach((name, column) -> {
            if (column.hasI64()) {
                ProtoPrimitiveStats bounds = upgraded.getColsOrThrow(name).getPrimitive();
                assertThat(bounds.getLowerI64()).isEqualTo(column.getI64().getLower());
                assertThat(bounds.getUpperI64()).isEqualTo(column.getI64().getUpper());
            } else if (column.getBytes().hasUpper()) {
                ProtoPrimitiveStats bounds = upgraded.getColsOrThrow(name).getBytes().getPrimitive();
                assertThat(bounds.getLowerBytes()).isEqualTo(column.getBytes().getLower());
                assertThat(bounds.getUpperBytes()).isEqualTo(column.getBytes().getUpper());
            } else {
                assertThat(upgraded.getColsMap()).doesNotContainKey(name);
            }
        });
        assertThat(upgraded.getColsMap().keySet()).isSubsetOf(legacy.getColumnsMap().keySet());
    }

    @Property(tries = 1000)
    void writtenStatsNeverPassAsLegacyOnesAndAreLeftAsTheyAre(@ForAll("writtenStats") ProtoStructStats written) {
        ByteString bytes = written.toByteString();
        assertThat(WrittenStatsLayout.parse(bytes)).hasValue(written);
        assertThat(LegacyPartStats.mayHoldLegacyColumn(bytes)).isFalse();
        assertThat(upgrade(bytes)).isSameAs(bytes);
        if (written.getColsCount() == 0) {
            assertThat(LegacyPartStats.parse(bytes)).hasValue(ProtoLegacyPartStats.newBuilder().setLen(written.getLen()).build());
        } else {
            assertThat(LegacyPartStats.parse(bytes)).isEmpty();
        }
    }

    @Property(tries = 3000)
    void damagedStatsNeverPassBothWithColumns(@ForAll("legacyStats") ProtoLegacyPartStats legacy,
            @ForAll("writtenStats") ProtoStructStats written, @ForAll boolean fromLegacy, @ForAll int at,
            @ForAll byte replacement, @ForAll boolean cut) {
        byte[] bytes = (fromLegacy ? legacy.toByteArray() : written.toByteArray());
        if (bytes.length == 0) {
            return;
        }
        int index = Math.floorMod(at, bytes.length);
        byte[] damaged;
        if (cut) {
            damaged = Arrays.copyOf(bytes, index);
        } else {
            damaged = bytes.clone();
            damaged[index] = replacement;
        }
        ByteString stats = ByteString.copyFrom(damaged);
        Optional<ProtoLegacyPartStats> asLegacy = LegacyPartStats.parse(stats);
        Optional<ProtoStructStats> asWritten = WrittenStatsLayout.parse(stats);
        if (asLegacy.isPresent() && asWritten.isPresent()) {
            assertThat(asLegacy.get().getColumnsCount()).isZero();
            assertThat(asWritten.get().getColsCount()).isZero();
        }
        if (asLegacy.isPresent() && asLegacy.get().getColumnsCount() > 0) {
            assertThat(LegacyPartStats.mayHoldLegacyColumn(stats)).isTrue();
        }
        // Whatever the bytes, the upgrade leaves them or writes this build's layout.
        ByteString upgraded = upgrade(stats);
        assertThat(upgraded == stats || WrittenStatsLayout.parse(upgraded).isPresent()).isTrue();
    }

    private static ByteString upgrade(ByteString stats) {
        ProtoHollowBatchPart part = ProtoHollowBatchPart.newBuilder().setKey("n0000001/p0").setKeyStats(stats).build();
        return LegacyPartStats.upgrade(part).getKeyStats();
    }
}
