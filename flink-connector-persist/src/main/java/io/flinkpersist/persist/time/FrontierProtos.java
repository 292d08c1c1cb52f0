package io.flinkpersist.persist.time;

import java.util.List;

/**
 * Frontiers and descriptions to and from persist's protobuf messages, in both flavours: state.proto's
 * {@code ProtoU64Antichain} (int64 elements: the Codec64 bytes read as a signed integer) and persist.proto's
 * (uint64 elements, the part header). Both carry the same bits, so a time of 2^63 or more reads back as a
 * negative {@code long} in either flavour and is rejected: our times are {@code [0, 2^63)}.
 *
 * <p>An antichain that is absent from its enclosing message decodes as {@link Frontier#MINIMUM}, as in persist.
 * Callers pass {@code null} for absent, because protobuf's getter returns an empty (= closed) antichain instead.
 */
public final class FrontierProtos {
    private FrontierProtos() {}

    public static io.flinkpersist.persist.proto.state.ProtoU64Antichain toStateAntichain(Frontier frontier) {
        var builder = io.flinkpersist.persist.proto.state.ProtoU64Antichain.newBuilder();
        frontier.element().ifPresent(builder::addElements);
        return builder.build();
    }

    public static io.flinkpersist.persist.proto.part.ProtoU64Antichain toPartAntichain(Frontier frontier) {
        var builder = io.flinkpersist.persist.proto.part.ProtoU64Antichain.newBuilder();
        frontier.element().ifPresent(builder::addElements);
        return builder.build();
    }

    /** Decodes a state.proto antichain; {@code null} (absent) is the minimum. */
    public static Frontier fromStateAntichain(io.flinkpersist.persist.proto.state.ProtoU64Antichain antichain) {
        return antichain == null ? Frontier.MINIMUM : fromElements(antichain.getElementsList());
    }

    /** Decodes a persist.proto antichain; {@code null} (absent) is the minimum. */
    public static Frontier fromPartAntichain(io.flinkpersist.persist.proto.part.ProtoU64Antichain antichain) {
        return antichain == null ? Frontier.MINIMUM : fromElements(antichain.getElementsList());
    }

    public static io.flinkpersist.persist.proto.state.ProtoU64Description toStateDescription(Description desc) {
        return io.flinkpersist.persist.proto.state.ProtoU64Description.newBuilder()
                .setLower(toStateAntichain(desc.lower()))
                .setUpper(toStateAntichain(desc.upper()))
                .setSince(toStateAntichain(desc.since()))
                .build();
    }

    public static io.flinkpersist.persist.proto.part.ProtoU64Description toPartDescription(Description desc) {
        return io.flinkpersist.persist.proto.part.ProtoU64Description.newBuilder()
                .setLower(toPartAntichain(desc.lower()))
                .setUpper(toPartAntichain(desc.upper()))
                .setSince(toPartAntichain(desc.since()))
                .build();
    }

    /** Decodes a state.proto description; each absent antichain (or an absent description) is the minimum. */
    public static Description fromStateDescription(io.flinkpersist.persist.proto.state.ProtoU64Description desc) {
        if (desc == null) {
            return new Description(Frontier.MINIMUM, Frontier.MINIMUM, Frontier.MINIMUM);
        }
        return new Description(
                fromStateAntichain(desc.hasLower() ? desc.getLower() : null),
                fromStateAntichain(desc.hasUpper() ? desc.getUpper() : null),
                fromStateAntichain(desc.hasSince() ? desc.getSince() : null));
    }

    /** Decodes a persist.proto description; each absent antichain (or an absent description) is the minimum. */
    public static Description fromPartDescription(io.flinkpersist.persist.proto.part.ProtoU64Description desc) {
        if (desc == null) {
            return new Description(Frontier.MINIMUM, Frontier.MINIMUM, Frontier.MINIMUM);
        }
        return new Description(
                fromPartAntichain(desc.hasLower() ? desc.getLower() : null),
                fromPartAntichain(desc.hasUpper() ? desc.getUpper() : null),
                fromPartAntichain(desc.hasSince() ? desc.getSince() : null));
    }

    private static Frontier fromElements(List<Long> elements) {
        if (elements.isEmpty()) {
            return Frontier.EMPTY;
        }
        if (elements.size() > 1) {
            throw new IllegalArgumentException("antichain " + asU64(elements) + " has " + elements.size()
                    + " elements, but u64 times are totally ordered, so a frontier has at most one");
        }
        long element = elements.get(0);
        if (element < 0) {
            throw new IllegalArgumentException("antichain element " + Long.toUnsignedString(element)
                    + " (int64 " + element + ") is beyond the largest supported time " + Long.MAX_VALUE);
        }
        return Frontier.of(element);
    }

    /** The first few elements: a corrupt antichain may hold very many. */
    private static String asU64(List<Long> elements) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < elements.size() && i < 4; i++) {
            out.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(elements.get(i)));
        }
        return out.append(elements.size() > 4 ? ", ...]" : "]").toString();
    }
}
