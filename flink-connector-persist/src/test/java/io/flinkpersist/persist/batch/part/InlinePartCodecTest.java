package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.flinkpersist.persist.proto.state.ProtoInlineBatchPart;
import io.flinkpersist.persist.proto.state.ProtoU64Antichain;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.List;
import org.junit.jupiter.api.Test;

class InlinePartCodecTest {
    private static final String WHERE = "inline part 0 of batch [5, 9)";
    private static final Description ALL_TIMES = Description.of(Frontier.MINIMUM, Frontier.EMPTY);

    private static BlobTraceBatchPart part(Description desc, long index, List<Update> updates) {
        return new BlobTraceBatchPart(desc, index, Update.records(updates));
    }

    @Test
    void roundTripKeepsDescIndexAndEveryByte() {
        BlobTraceBatchPart part = part(ALL_TIMES, 3, Update.EDGE_CASES);

        BlobTraceBatchPart decoded = InlinePartCodec.decode(WHERE, InlinePartCodec.encode(part));

        assertThat(decoded).isEqualTo(part);
        assertThat(Update.list(decoded.updates())).containsExactlyElementsOf(Update.EDGE_CASES);
    }

    @Test
    void emptyPartRoundTrips() {
        BlobTraceBatchPart empty = new BlobTraceBatchPart(
                new Description(Frontier.of(5), Frontier.of(9), Frontier.of(2)), 0, ColumnarRecords.EMPTY);

        assertThat(InlinePartCodec.decode(WHERE, InlinePartCodec.encode(empty))).isEqualTo(empty);
    }

    @Test
    void encodesAStateProtoInlineBatchPart() throws Exception {
        BlobTraceBatchPart part = part(Description.of(Frontier.of(5), Frontier.of(9)), 7,
                List.of(Update.of("a", "b", 6, -2)));

        ProtoInlineBatchPart proto = ProtoInlineBatchPart.parseFrom(InlinePartCodec.encode(part));

        assertThat(proto.getDesc()).isEqualTo(FrontierProtos.toStateDescription(part.desc()));
        assertThat(proto.getIndex()).isEqualTo(7);
        assertThat(proto.getUpdates()).isEqualTo(part.updates().toProto());
    }

    @Test
    void encodeRefusesAnInvalidPart() {
        BlobTraceBatchPart late = part(Description.of(Frontier.of(5), Frontier.of(9)), 0,
                List.of(Update.of("a", "b", 9, 1)));

        assertThatThrownBy(() -> InlinePartCodec.encode(late))
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("timestamp 9 is not before the part's upper [9]");
    }

    @Test
    void decodeRejectsDataThatItsDescMakesInvalid() {
        ByteString bytes = ProtoInlineBatchPart.newBuilder()
                .setDesc(FrontierProtos.toStateDescription(Description.of(Frontier.of(10), Frontier.of(20))))
                .setUpdates(Update.records(Update.of("a", "b", 7, 1)).toProto())
                .build()
                .toByteString();

        assertThatThrownBy(() -> InlinePartCodec.decode(WHERE, bytes))
                .isInstanceOf(PartDecodeException.class)
                .hasMessage("cannot decode part " + WHERE + ": update 0: timestamp 7 is not beyond the part's lower [10]")
                .extracting(e -> ((PartDecodeException) e).part()).isEqualTo(WHERE);
    }

    @Test
    void decodeRejectsMalformedInput() {
        ProtoInlineBatchPart valid = ProtoInlineBatchPart.newBuilder()
                .setDesc(FrontierProtos.toStateDescription(ALL_TIMES))
                .setUpdates(Update.records(Update.of("a", "b", 7, 1)).toProto())
                .build();
        record Case(ByteString bytes, String reason) {}
        List<Case> cases = List.of(
                new Case(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}), "not a ProtoInlineBatchPart"),
                new Case(valid.toBuilder().clearUpdates().build().toByteString(), "has no updates"),
                new Case(valid.toBuilder().setUpdates(valid.getUpdates().toBuilder().setKeyOffsets(1, 5)).build()
                        .toByteString(), "key_offsets ends at 5 but key_data has 1 bytes"),
                new Case(valid.toBuilder().setDesc(valid.getDesc().toBuilder()
                                .setLower(ProtoU64Antichain.newBuilder().addElements(1).addElements(2))).build()
                        .toByteString(), "antichain [1, 2] has 2 elements"),
                new Case(valid.toBuilder().setIndex(-1).build().toByteString(), "18446744073709551615"),
                // No desc at all decodes as [0, 0), an empty interval.
                new Case(valid.toBuilder().clearDesc().build().toByteString(), "upper [0] is not beyond lower [0]"));
        for (Case c : cases) {
            assertThatThrownBy(() -> InlinePartCodec.decode(WHERE, c.bytes()))
                    .as(c.reason())
                    .isInstanceOf(PartDecodeException.class)
                    .hasMessageStartingWith("cannot decode part " + WHERE + ": ")
                    .hasMessageContaining(c.reason());
        }
    }
}
