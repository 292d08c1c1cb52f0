package io.flinkpersist.persist.ids;

import java.util.UUID;

/** A write handle. Keys the writers map in shard state (and, in the legacy layout, blob paths). Printed as {@code w<uuid>}. */
public final class WriterId extends PrefixedUuid {
    static final String PREFIX = "w";

    private WriterId(UUID uuid) {
        super(uuid);
    }

    public static WriterId of(UUID uuid) {
        return new WriterId(uuid);
    }

    public static WriterId random() {
        return new WriterId(UUID.randomUUID());
    }

    /** Parses the printed form; throws {@link MalformedIdException} naming the input otherwise. */
    public static WriterId parse(String input) {
        return new WriterId(parseUuid("WriterId", PREFIX, input));
    }

    @Override
    String prefix() {
        return PREFIX;
    }
}
