package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.flinkpersist.persist.proto.part.ProtoArrayData;
import io.flinkpersist.persist.proto.part.ProtoColumnarRecords;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColumnarRecordsTest {
    private static final Update EMPTY_KEY = new Update(new byte[0], new byte[] {0, 0, 1}, 0, 1);
    private static final Update ZERO_BYTES = new Update(new byte[] {0}, new byte[0], Long.MAX_VALUE, -3);
    private static final Update TEXT = Update.of("key", "value", 5, Long.MIN_VALUE);

    @Test
    void builderKeepsEveryUpdateInOrder() {
        ColumnarRecords records = Update.records(EMPTY_KEY, ZERO_BYTES, TEXT);

        assertThat(records.len()).isEqualTo(3);
        assertThat(Update.list(records)).containsExactly(EMPTY_KEY, ZERO_BYTES, TEXT);
        assertThat(records.keyLength(0)).isZero();
        assertThat(records.valueLength(0)).isEqualTo(3);
        assertThat(records.keyLength(2)).isEqualTo(3);
        assertThat(records.keyBytes()).isEqualTo(4);
        assertThat(records.valueBytes()).isEqualTo(8);
    }

    @Test
    void pushCopiesSlices() {
        byte[] buffer = {9, 1, 2, 3, 9};
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        assertThat(builder.push(buffer, 1, 2, buffer, 3, 1, 7, 1)).isTrue();
        buffer[1] = 42;
        ColumnarRecords records = builder.build();
        assertThat(records.key(0)).containsExactly(1, 2);
        assertThat(records.value(0)).containsExactly(3);
        assertThatThrownBy(() -> builder.push(buffer, 4, 2, buffer, 0, 0, 0, 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void buildStartsTheBuilderOver() {
        ColumnarRecords.Builder builder = ColumnarRecords.builder().reserve(10, 100, 100);
        builder.push(TEXT.key(), TEXT.value(), TEXT.time(), TEXT.diff());
        ColumnarRecords first = builder.build();
        assertThat(builder.len()).isZero();
        builder.push(EMPTY_KEY.key(), EMPTY_KEY.value(), EMPTY_KEY.time(), EMPTY_KEY.diff());
        assertThat(Update.list(first)).containsExactly(TEXT);
        assertThat(Update.list(builder.build())).containsExactly(EMPTY_KEY);
    }

    @Test
    void sizes() {
        ColumnarRecords records = Update.records(EMPTY_KEY, ZERO_BYTES, TEXT);
        assertThat(records.goodbytes()).isEqualTo(4 + 8 + 3 * 16);
        assertThat(ColumnarRecords.recordSize(3, 5)).isEqualTo(3 + 5 + 4 + 4 + 8 + 8);
        assertThat(ColumnarRecords.EMPTY.goodbytes()).isZero();
        assertThat(ColumnarRecords.EMPTY.len()).isZero();
    }

    @Test
    void columnLimitCountsFourBytesPerOffset() {
        // values + 1 offsets of 4 bytes each, plus the data, must not exceed Integer.MAX_VALUE.
        assertThat(ColumnarRecords.withinColumnLimit(Integer.MAX_VALUE - 8, 1)).isTrue();
        assertThat(ColumnarRecords.withinColumnLimit(Integer.MAX_VALUE - 7, 1)).isFalse();
        assertThat(ColumnarRecords.withinColumnLimit(Integer.MAX_VALUE - 4L * 1001, 1000)).isTrue();
        assertThat(ColumnarRecords.withinColumnLimit(Integer.MAX_VALUE - 4L * 1001 + 1, 1000)).isFalse();
        assertThat(ColumnarRecords.withinColumnLimit(0, (Integer.MAX_VALUE / 4) - 1)).isTrue();
        assertThat(ColumnarRecords.withinColumnLimit(0, Integer.MAX_VALUE / 4)).isFalse();
    }

    @Test
    void reserveIsOnlyAHint() {
        ColumnarRecords.Builder builder = ColumnarRecords.builder().reserve(2, 1, 1);
        for (int i = 0; i < 100; i++) {
            assertThat(builder.push(TEXT.key(), TEXT.value(), i, 1)).isTrue();
        }
        assertThat(builder.build().len()).isEqualTo(100);
    }

    @Test
    void accessorsRejectIndexesPastLen() {
        // The builder's arrays have spare capacity; reading it must not be possible.
        ColumnarRecords records = ColumnarRecords.builder().reserve(100, 100, 100).build();
        assertThatThrownBy(() -> records.keyLength(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> records.time(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> records.compareKeyValTime(0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void compareOrdersByUnsignedKeyThenValueThenTime() {
        ColumnarRecords records = Update.records(
                new Update(new byte[] {(byte) 0x80}, new byte[0], 0, 1), // 0: high bit key
                new Update(new byte[] {0x7f}, new byte[0], 0, 1), // 1
                new Update(new byte[] {0x7f, 0}, new byte[0], 0, 1), // 2: longer key, same prefix
                new Update(new byte[] {0x7f}, new byte[] {1}, 0, 1), // 3: same key, larger value
                new Update(new byte[] {0x7f}, new byte[] {1}, 256, 1), // 4: same key and value, later time
                new Update(new byte[] {0x7f}, new byte[] {1}, 1, 99)); // 5: earlier time, other diff

        assertThat(records.compareKeyValTime(0, 1)).isPositive();
        assertThat(records.compareKeyValTime(1, 2)).isNegative();
        assertThat(records.compareKeyValTime(1, 3)).isNegative();
        assertThat(records.compareKeyValTime(3, 4)).isNegative();
        // Times compare as numbers, not by their little-endian bytes (where 256 would sort before 1).
        assertThat(records.compareKeyValTime(4, 5)).isPositive();
        assertThat(records.compareKeyValTime(3, 3)).isZero();

        ColumnarRecords other = Update.records(new Update(new byte[] {0x7f}, new byte[] {1}, 256, -1));
        assertThat(records.compareKeyValTime(4, other, 0)).isZero();
        assertThat(records.compareKeyValTime(5, other, 0)).isNegative();

        assertThat(records.compareKeyValTime(4, new byte[] {0x7f}, new byte[] {1}, 256)).isZero();
        assertThat(records.compareKeyValTime(4, new byte[] {0x7f}, new byte[] {1, 0}, 0)).isNegative();
        assertThat(records.compareKeyValTime(0, new byte[] {(byte) 0xff}, new byte[0], 0)).isNegative();
    }

    @Test
    void protoRoundTrip() {
        ColumnarRecords records = Update.records(EMPTY_KEY, ZERO_BYTES, TEXT);
        ProtoColumnarRecords proto = records.toProto();

        assertThat(proto.getLen()).isEqualTo(3);
        assertThat(proto.getKeyOffsetsList()).containsExactly(0, 0, 1, 4);
        assertThat(proto.getValOffsetsList()).containsExactly(0, 3, 3, 8);
        assertThat(proto.getKeyData()).isEqualTo(ByteString.copyFrom(new byte[] {0, 'k', 'e', 'y'}));
        assertThat(proto.getTimestampsList()).containsExactly(0L, Long.MAX_VALUE, 5L);
        assertThat(proto.getDiffsList()).containsExactly(1L, -3L, Long.MIN_VALUE);
        assertThat(proto.hasKeyStructured()).isFalse();

        ColumnarRecords decoded = ColumnarRecords.fromProto(proto);
        assertThat(decoded).isEqualTo(records).hasSameHashCodeAs(records);
        assertThat(ColumnarRecords.fromProto(ColumnarRecords.EMPTY.toProto())).isEqualTo(ColumnarRecords.EMPTY);
        assertThat(ColumnarRecords.EMPTY.toProto().getKeyOffsetsList()).containsExactly(0);
    }

    @Test
    void equalityIgnoresSpareCapacity() {
        ColumnarRecords.Builder roomy = ColumnarRecords.builder().reserve(1000, 1 << 16, 1 << 16);
        roomy.push(TEXT.key(), TEXT.value(), TEXT.time(), TEXT.diff());
        ColumnarRecords exact = ColumnarRecords.fromProto(Update.records(TEXT).toProto());
        assertThat(roomy.build()).isEqualTo(exact);
        assertThat(Update.records(TEXT)).isNotEqualTo(Update.records(TEXT, TEXT));
        assertThat(Update.records(TEXT)).isNotEqualTo(Update.records(Update.of("key", "value", 5, 1)));
    }

    @Test
    void fromProtoRejectsMismatchedColumns() {
        ProtoColumnarRecords valid = Update.records(EMPTY_KEY, ZERO_BYTES, TEXT).toProto();
        record Case(ProtoColumnarRecords proto, String message) {}
        List<Case> cases = List.of(
                new Case(valid.toBuilder().setLen(4).build(), "timestamps has 3 entries, expected len = 4"),
                new Case(valid.toBuilder().setLen(-1).build(), "len 18446744073709551615 is too large"),
                new Case(valid.toBuilder().addDiffs(1).build(), "diffs has 4 entries, expected len = 3"),
                new Case(valid.toBuilder().addKeyOffsets(4).build(), "key_offsets has 5 entries, expected len + 1 = 4"),
                new Case(valid.toBuilder().clearValOffsets().build(), "val_offsets has 0 entries, expected len + 1 = 4"),
                new Case(valid.toBuilder().setKeyOffsets(0, 1).build(), "key_offsets[0] is 1, expected 0"),
                new Case(valid.toBuilder().setKeyOffsets(2, 0).setKeyOffsets(1, 1).build(),
                        "key_offsets[2] = 0 is below key_offsets[1] = 1"),
                new Case(valid.toBuilder().setValOffsets(3, 7).build(), "val_offsets ends at 7 but val_data has 8 bytes"),
                new Case(valid.toBuilder().setKeyData(ByteString.copyFromUtf8("12345")).build(),
                        "key_offsets ends at 4 but key_data has 5 bytes"),
                new Case(valid.toBuilder().setKeyStructured(ProtoArrayData.getDefaultInstance()).build(),
                        "structured key/value columns are not supported"),
                new Case(valid.toBuilder().setValStructured(ProtoArrayData.getDefaultInstance()).build(),
                        "structured key/value columns are not supported"));
        for (Case c : cases) {
            assertThatThrownBy(() -> ColumnarRecords.fromProto(c.proto()))
                    .isInstanceOf(MalformedColumnarRecordsException.class)
                    .hasMessageStartingWith("malformed ProtoColumnarRecords: ")
                    .hasMessageContaining(c.message());
        }
    }
}
