package io.flinkpersist.persist.batch;

import static io.flinkpersist.persist.batch.BatchFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import io.flinkpersist.persist.testutils.WrittenStatsLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Part stats are persist's {@code ProtoStructStats} of the part's columns, truncated and trimmed to a budget. */
class PartStatsTest {
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    @Test
    void eachColumnIsBoundedInPersistsLayout() throws Exception {
        ColumnarRecords updates = records(
                new Object[] {"banana", "x", 3L, 2L},
                new Object[] {"apple", "zz", 5L, -1L},
                new Object[] {"cherry-pie", "", -7L, 4L});
        ProtoStructStats stats = written(PartStats.of(updates, 4, false), NO_LIMIT);

        assertThat(stats).isEqualTo(WrittenStatsLayout.expected(updates, 4));
        assertThat(stats.getLen()).isEqualTo(3);
        ProtoPrimitiveStats key = stats.getColsOrThrow("k").getBytes().getPrimitive();
        assertThat(key.getLowerBytes().toStringUtf8()).isEqualTo("appl");
        assertThat(key.getUpperBytes().toStringUtf8()).isEqualTo("ches");
        ProtoPrimitiveStats value = stats.getColsOrThrow("v").getBytes().getPrimitive();
        // An empty lower is a bound like any other, and is encoded.
        assertThat(value.getLowerCase()).isEqualTo(ProtoPrimitiveStats.LowerCase.LOWER_BYTES);
        assertThat(value.getLowerBytes()).isEqualTo(ByteString.EMPTY);
        assertThat(value.getUpperBytes().toStringUtf8()).isEqualTo("zz");
        assertThat(stats.getColsOrThrow("t").getPrimitive().getLowerI64()).isEqualTo(-7);
        assertThat(stats.getColsOrThrow("t").getPrimitive().getUpperI64()).isEqualTo(5);
        assertThat(stats.getColsOrThrow("d").getPrimitive().getLowerI64()).isEqualTo(-1);
        assertThat(stats.getColsOrThrow("d").getPrimitive().getUpperI64()).isEqualTo(4);
    }

    @Test
    void zeroBoundsAreEncodedToo() throws Exception {
        ColumnarRecords updates = records(new Object[] {"", "", 0L, 0L});
        ProtoStructStats stats = written(PartStats.of(updates, 4, false), NO_LIMIT);
        assertThat(stats.getColsOrThrow("t").getPrimitive().getLowerCase())
                .isEqualTo(ProtoPrimitiveStats.LowerCase.LOWER_I64);
        assertThat(stats.getColsOrThrow("t").getPrimitive().getUpperCase())
                .isEqualTo(ProtoPrimitiveStats.UpperCase.UPPER_I64);
        assertThat(stats.getColsOrThrow("k").getBytes().getPrimitive().getUpperCase())
                .isEqualTo(ProtoPrimitiveStats.UpperCase.UPPER_BYTES);
    }

    @Test
    void aByteColumnWithoutAShortUpperIsLeftOut() throws Exception {
        byte[] allFf = new byte[6];
        Arrays.fill(allFf, (byte) 0xff);
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        builder.push(bytes("a"), bytes("v"), 1, 1);
        builder.push(allFf, bytes("w"), 2, 1);
        ColumnarRecords updates = builder.build();

        ProtoStructStats stats = written(PartStats.of(updates, 4, false), NO_LIMIT);

        assertThat(stats.getColsMap()).containsOnlyKeys("v", "t", "d");
        assertThat(stats).isEqualTo(WrittenStatsLayout.expected(updates, 4));
        // Within the bound length the greatest key is its own upper.
        assertThat(written(PartStats.of(updates, 6, false), NO_LIMIT).getColsMap()).containsKey("k");
    }

    @Test
    void aSortedPartHasTheBoundsOfAScan() {
        ColumnarRecords sorted = records(
                new Object[] {"a", "z", 1L, 1L},
                new Object[] {"a", "b", 2L, 1L},
                new Object[] {"ab", "y", 1L, 3L},
                new Object[] {"b\u00ff", "a", 1L, -2L});
        assertThat(PartStats.of(sorted, 2, true).trimToBudget(NO_LIMIT, UntrimmableColumns.NONE).encoded())
                .isEqualTo(PartStats.of(sorted, 2, false).trimToBudget(NO_LIMIT, UntrimmableColumns.NONE).encoded());
    }

    @Test
    void trimmingDropsTheLargestColumnsFirstButNotUntrimmableOnes() throws Exception {
        ColumnarRecords updates = records(new Object[] {"k".repeat(40), "v".repeat(20), 1L, 1L});
        PartStats stats = PartStats.of(updates, 100, false);
        int full = stats.trimToBudget(NO_LIMIT, UntrimmableColumns.NONE).encoded().length;

        PartStats.Trimmed withoutKey = stats.trimToBudget(full - 1, UntrimmableColumns.NONE);
        assertThat(parse(withoutKey.encoded()).getColsMap()).containsOnlyKeys("v", "t", "d");
        assertThat(withoutKey.trimmedBytes()).isEqualTo(full - withoutKey.encoded().length);

        PartStats.Trimmed keyKept = stats.trimToBudget(full - 1, new UntrimmableColumns(List.of("k"), List.of(), List.of()));
        assertThat(parse(keyKept.encoded()).getColsMap()).containsOnlyKeys("k", "t", "d");

        PartStats.Trimmed nothingLeft = stats.trimToBudget(1, UntrimmableColumns.NONE);
        assertThat(parse(nothingLeft.encoded())).isEqualTo(ProtoStructStats.newBuilder().setLen(1).build());
        assertThat(WrittenStatsLayout.parse(ByteString.copyFrom(nothingLeft.encoded()))).isPresent();
    }

    private static ProtoStructStats written(PartStats stats, int budget) {
        byte[] encoded = stats.trimToBudget(budget, UntrimmableColumns.NONE).encoded();
        return WrittenStatsLayout.parse(ByteString.copyFrom(encoded))
                .orElseThrow(() -> new AssertionError("not in the written layout: " + Arrays.toString(encoded)));
    }

    private static ProtoStructStats parse(byte[] encoded) throws Exception {
        return ProtoStructStats.parseFrom(encoded);
    }

    /** Updates given as {key, value, time, diff}, strings as ISO-8859-1 so that U+00FF is the byte 0xff. */
    private static ColumnarRecords records(Object[]... updates) {
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        for (Object[] u : updates) {
            builder.push(latin1((String) u[0]), latin1((String) u[1]), (Long) u[2], (Long) u[3]);
        }
        return builder.build();
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
