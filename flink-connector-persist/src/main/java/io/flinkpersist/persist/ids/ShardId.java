package io.flinkpersist.persist.ids;

import java.util.UUID;

/** A shard: a durable, definite collection of updates. Also the consensus key. Printed as {@code s<uuid>}. */
public final class ShardId extends PrefixedUuid {
    static final String PREFIX = "s";

    private ShardId(UUID uuid) {
        super(uuid);
    }

    public static ShardId of(UUID uuid) {
        return new ShardId(uuid);
    }

    public static ShardId random() {
        return new ShardId(UUID.randomUUID());
    }

    /** Parses the printed form; throws {@link MalformedIdException} naming the input otherwise. */
    public static ShardId parse(String input) {
        return new ShardId(parseUuid("ShardId", PREFIX, input));
    }

    @Override
    String prefix() {
        return PREFIX;
    }
}
