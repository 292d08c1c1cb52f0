package io.flinkpersist.persist.ids;

import java.util.UUID;

/** One rollup (a full encoding of shard state) in blob. Printed as {@code r<uuid>}. */
public final class RollupId extends PrefixedUuid {
    static final String PREFIX = "r";

    private RollupId(UUID uuid) {
        super(uuid);
    }

    public static RollupId of(UUID uuid) {
        return new RollupId(uuid);
    }

    public static RollupId random() {
        return new RollupId(UUID.randomUUID());
    }

    /** Parses the printed form; throws {@link MalformedIdException} naming the input otherwise. */
    public static RollupId parse(String input) {
        return new RollupId(parseUuid("RollupId", PREFIX, input));
    }

    @Override
    String prefix() {
        return PREFIX;
    }
}
