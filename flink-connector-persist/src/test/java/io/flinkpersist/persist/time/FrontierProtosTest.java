package io.flinkpersist.persist.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.proto.part.ProtoU64Antichain;
import io.flinkpersist.persist.proto.part.ProtoU64Description;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrontierProtosTest {
    private static final List<Frontier> FRONTIERS =
            List.of(Frontier.MINIMUM, Frontier.of(1), Frontier.of(1_700_000_000_000L), Frontier.of(Long.MAX_VALUE),
                    Frontier.EMPTY);

    @Test
    void antichainsRoundTripInBothFlavours() {
        for (Frontier frontier : FRONTIERS) {
            assertThat(FrontierProtos.fromStateAntichain(FrontierProtos.toStateAntichain(frontier)))
                    .isEqualTo(frontier);
            assertThat(FrontierProtos.fromPartAntichain(FrontierProtos.toPartAntichain(frontier)))
                    .isEqualTo(frontier);
        }
    }

    @Test
    void theEmptyFrontierHasNoElementsAndOthersHaveOne() {
        assertThat(FrontierProtos.toStateAntichain(Frontier.EMPTY).getElementsList()).isEmpty();
        assertThat(FrontierProtos.toPartAntichain(Frontier.of(42)).getElementsList()).containsExactly(42L);
        assertThat(FrontierProtos.toStateAntichain(Frontier.MINIMUM).getElementsList()).containsExactly(0L);
    }

    @Test
    void descriptionsRoundTripInBothFlavours() {
        Description desc = new Description(Frontier.of(5), Frontier.EMPTY, Frontier.of(3));
        assertThat(FrontierProtos.fromStateDescription(FrontierProtos.toStateDescription(desc))).isEqualTo(desc);
        assertThat(FrontierProtos.fromPartDescription(FrontierProtos.toPartDescription(desc))).isEqualTo(desc);
    }

    @Test
    void bothFlavoursCarryTheSameBits() {
        Description desc = new Description(Frontier.of(7), Frontier.of(Long.MAX_VALUE), Frontier.MINIMUM);
        byte[] state = FrontierProtos.toStateDescription(desc).toByteArray();
        byte[] part = FrontierProtos.toPartDescription(desc).toByteArray();
        // int64 and uint64 share the varint wire encoding, so one flavour's bytes parse as the other.
        assertThat(state).isEqualTo(part);
    }

    @Test
    void missingAntichainsDecodeAsTheMinimum() throws Exception {
        assertThat(FrontierProtos.fromStateAntichain(null)).isEqualTo(Frontier.MINIMUM);
        assertThat(FrontierProtos.fromPartAntichain(null)).isEqualTo(Frontier.MINIMUM);
        Description allMinimum = new Description(Frontier.MINIMUM, Frontier.MINIMUM, Frontier.MINIMUM);
        assertThat(FrontierProtos.fromPartDescription(null)).isEqualTo(allMinimum);
        assertThat(FrontierProtos.fromStateDescription(null)).isEqualTo(allMinimum);

        ProtoU64Description onlyUpper = ProtoU64Description.newBuilder()
                .setUpper(ProtoU64Antichain.newBuilder().addElements(9))
                .build();
        assertThat(FrontierProtos.fromPartDescription(onlyUpper))
                .isEqualTo(new Description(Frontier.MINIMUM, Frontier.of(9), Frontier.MINIMUM));
        var stateOnlyLower = io.flinkpersist.persist.proto.state.ProtoU64Description.parseFrom(
                ProtoU64Description.newBuilder().setLower(ProtoU64Antichain.newBuilder().addElements(4))
                        .build().toByteArray());
        assertThat(FrontierProtos.fromStateDescription(stateOnlyLower))
                .isEqualTo(new Description(Frontier.of(4), Frontier.MINIMUM, Frontier.MINIMUM));
    }

    @Test
    void presentButEmptyAntichainIsTheEmptyFrontier() {
        ProtoU64Description closedUpper = ProtoU64Description.newBuilder()
                .setLower(ProtoU64Antichain.newBuilder().addElements(1))
                .setUpper(ProtoU64Antichain.getDefaultInstance())
                .build();
        assertThat(FrontierProtos.fromPartDescription(closedUpper).upper()).isEqualTo(Frontier.EMPTY);
    }

    @Test
    void multiElementAntichainsAreRejected() {
        assertThatThrownBy(() -> FrontierProtos.fromPartAntichain(
                        ProtoU64Antichain.newBuilder().addElements(1).addElements(2).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 2]")
                .hasMessageContaining("2 elements");
        assertThatThrownBy(() -> FrontierProtos.fromStateAntichain(
                        io.flinkpersist.persist.proto.state.ProtoU64Antichain.newBuilder()
                                .addElements(3).addElements(-1).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[3, 18446744073709551615]");
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE})
    void timesFromTwoToThe63AreRejected(long element) {
        String asU64 = Long.toUnsignedString(element);
        assertThatThrownBy(() -> FrontierProtos.fromPartAntichain(
                        ProtoU64Antichain.newBuilder().addElements(element).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(asU64)
                .hasMessageContaining("largest supported time");
        assertThatThrownBy(() -> FrontierProtos.fromStateAntichain(
                        io.flinkpersist.persist.proto.state.ProtoU64Antichain.newBuilder().addElements(element).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(asU64)
                .hasMessageContaining("int64 " + element);
    }

    @Test
    void anInvalidAntichainInsideADescriptionIsRejected() {
        ProtoU64Description bad = ProtoU64Description.newBuilder()
                .setSince(ProtoU64Antichain.newBuilder().addElements(-5))
                .build();
        assertThatThrownBy(() -> FrontierProtos.fromPartDescription(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Long.toUnsignedString(-5));
    }
}
