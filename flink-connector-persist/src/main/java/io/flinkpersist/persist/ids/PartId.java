package io.flinkpersist.persist.ids;

import java.util.UUID;

/** One part (an immutable blob object) of a batch. Printed as {@code p<uuid>}. */
public final class PartId extends PrefixedUuid {
    static final String PREFIX = "p";

    private PartId(UUID uuid) {
        super(uuid);
    }

    public static PartId of(UUID uuid) {
        return new PartId(uuid);
    }

    public static PartId random() {
        return new PartId(UUID.randomUUID());
    }

    /** Parses the printed form; throws {@link MalformedIdException} naming the input otherwise. */
    public static PartId parse(String input) {
        return new PartId(parseUuid("PartId", PREFIX, input));
    }

    @Override
    String prefix() {
        return PREFIX;
    }
}
