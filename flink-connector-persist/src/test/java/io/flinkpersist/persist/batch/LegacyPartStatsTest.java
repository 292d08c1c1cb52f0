package io.flinkpersist.persist.batch;

import static io.flinkpersist.persist.batch.BatchFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.UnknownFieldSet;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.stats.ProtoBytesStats;
import io.flinkpersist.persist.proto.stats.ProtoDynStats;
import io.flinkpersist.persist.proto.stats.ProtoJsonStats;
import io.flinkpersist.persist.proto.stats.ProtoLegacyPartStats;
import io.flinkpersist.persist.proto.stats.ProtoOptionStats;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import io.flinkpersist.persist.testutils.LegacyStatsEncoding;
import io.flinkpersist.persist.testutils.WrittenStatsLayout;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The stats of earlier builds are recognised and rewritten in persist's layout with the same bounds; stats of any
 * other layout, this build's and persist's included, are left byte for byte.
 */
class LegacyPartStatsTest {
    @Test
    void legacyStatsBecomeWhatThisBuildWritesForTheSameData() {
        ColumnarRecords updates = records("banana", "apple", "cherry-pie");
        ProtoLegacyPartStats legacy = LegacyStatsEncoding.of(updates, 4);

        ProtoHollowBatchPart upgraded = LegacyPartStats.upgrade(part(legacy.toByteString()));

        byte[] written = PartStats.of(updates, 4, false).trimToBudget(Integer.MAX_VALUE, UntrimmableColumns.NONE).encoded();
        assertThat(upgraded.getKeyStats().toByteArray()).isEqualTo(written);
        assertThat(WrittenStatsLayout.parse(upgraded.getKeyStats())).hasValue(WrittenStatsLayout.expected(updates, 4));
    }

    @Test
    void aLegacyByteColumnWithoutAnUpperIsLeftOut() {
        byte[] allFf = new byte[6];
        Arrays.fill(allFf, (byte) 0xff);
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        builder.push(bytes("a"), bytes("v"), 1, 1);
        builder.push(allFf, bytes("w"), 2, 1);
        ProtoLegacyPartStats legacy = LegacyStatsEncoding.of(builder.build(), 4);
        assertThat(legacy.getColumnsOrThrow("k").getBytes().hasUpper()).isFalse();

        ProtoStructStats upgraded = upgradedStats(legacy.toByteString());

        assertThat(upgraded.getColsMap()).containsOnlyKeys("v", "t", "d");
    }

    @Test
    void anEmptyLowerAndZeroBoundsAreKept() {
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        builder.push(new byte[0], new byte[0], 0, 0);
        ProtoLegacyPartStats legacy = LegacyStatsEncoding.of(builder.build(), 4);

        ProtoStructStats upgraded = upgradedStats(legacy.toByteString());

        ProtoPrimitiveStats key = upgraded.getColsOrThrow("k").getBytes().getPrimitive();
        assertThat(key.getLowerCase()).isEqualTo(ProtoPrimitiveStats.LowerCase.LOWER_BYTES);
        assertThat(key.getLowerBytes()).isEqualTo(ByteString.EMPTY);
        assertThat(key.getUpperBytes()).isEqualTo(ByteString.EMPTY);
        ProtoPrimitiveStats time = upgraded.getColsOrThrow("t").getPrimitive();
        assertThat(time.getLowerCase()).isEqualTo(ProtoPrimitiveStats.LowerCase.LOWER_I64);
        assertThat(time.getUpperCase()).isEqualTo(ProtoPrimitiveStats.UpperCase.UPPER_I64);
        assertThat(time.getLowerI64()).isZero();
    }

    @Test
    void statsWithoutColumnsMeanTheSameInBothLayoutsAndAreLeftAsTheyAre() throws Exception {
        for (ByteString stats : new ByteString[] {ByteString.EMPTY,
                ProtoLegacyPartStats.newBuilder().setLen(7).build().toByteString()}) {
            assertThat(stats).isEqualTo(ProtoStructStats.newBuilder().setLen(ProtoStructStats.parseFrom(stats).getLen())
                    .build().toByteString());
            ProtoHollowBatchPart part = part(stats);
            assertThat(LegacyPartStats.upgrade(part)).isSameAs(part);
        }
    }

    @Test
    void thisBuildsStatsAreLeftWithoutBeingParsed() {
        ByteString written = ByteString.copyFrom(PartStats.of(records("a", "b"), 4, false)
                .trimToBudget(Integer.MAX_VALUE, UntrimmableColumns.NONE).encoded());
        assertThat(LegacyPartStats.mayHoldLegacyColumn(written)).isFalse();
        ProtoHollowBatchPart part = part(written);
        assertThat(LegacyPartStats.upgrade(part)).isSameAs(part);
    }

    @Test
    void statsOfAnyOtherLayoutAreLeftByteForByte() {
        ProtoPrimitiveStats i64 = ProtoPrimitiveStats.newBuilder().setLowerI64(1).setUpperI64(2).build();
        ByteString[] others = {
            // Persist's stats of a structured key: other columns, nullable ones, JSON.
            ProtoStructStats.newBuilder().setLen(3)
                    .putCols("ok", ProtoDynStats.newBuilder().setStruct(ProtoStructStats.newBuilder().setLen(3)
                            .putCols("a", ProtoDynStats.newBuilder().setPrimitive(i64).build())).build())
                    .putCols("err", ProtoDynStats.newBuilder().setOption(ProtoOptionStats.newBuilder().setNone(3))
                            .setBytes(ProtoBytesStats.newBuilder().setJson(ProtoJsonStats.newBuilder().setJsonNulls(1)
                                    .setMixed(Empty.getDefaultInstance()))).build())
                    .build().toByteString(),
            // Our column names, but kinds persist gives them and we never wrote.
            ProtoStructStats.newBuilder().setLen(1)
                    .putCols("t", ProtoDynStats.newBuilder().setStruct(ProtoStructStats.newBuilder().setLen(5)).build())
                    .putCols("k", ProtoDynStats.newBuilder().setOption(ProtoOptionStats.newBuilder().setNone(1))
                            .setPrimitive(i64).build())
                    .build().toByteString(),
            // The legacy layout with a column it never had, or a field it never wrote.
            legacyWith("x"),
            legacyWithUnknownField(),
            ByteString.copyFromUtf8("opaque-stats"),
        };
        for (ByteString stats : others) {
            assertThat(LegacyPartStats.parse(stats)).as("%s", stats).isEmpty();
            ProtoHollowBatchPart part = part(stats);
            assertThat(LegacyPartStats.upgrade(part)).as("%s", stats).isSameAs(part);
        }
    }

    private static ByteString legacyWith(String column) {
        return ProtoLegacyPartStats.newBuilder().setLen(1)
                .putColumns("k", LegacyStatsEncoding.bytes(bytes("a"), bytes("b"), 4))
                .putColumns(column, LegacyStatsEncoding.i64(1, 2))
                .build().toByteString();
    }

    private static ByteString legacyWithUnknownField() {
        return LegacyStatsEncoding.of(records("a"), 4).toBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build())
                .build().toByteString();
    }

    private static ProtoStructStats upgradedStats(ByteString legacy) {
        ProtoHollowBatchPart upgraded = LegacyPartStats.upgrade(part(legacy));
        return WrittenStatsLayout.parse(upgraded.getKeyStats())
                .orElseThrow(() -> new AssertionError("not in the written layout: " + upgraded.getKeyStats()));
    }

    private static ProtoHollowBatchPart part(ByteString stats) {
        return ProtoHollowBatchPart.newBuilder().setKey("n0000001/p" + UUID.randomUUID())
                .setEncodedSizeBytes(100).setKeyStats(stats).build();
    }

    /** One update per key, with the key as value, times 1, 2, … and diffs alternating 1 and -1. */
    private static ColumnarRecords records(String... keys) {
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        for (int i = 0; i < keys.length; i++) {
            builder.push(bytes(keys[i]), bytes(keys[i]), i + 1, i % 2 == 0 ? 1 : -1);
        }
        return builder.build();
    }
}
