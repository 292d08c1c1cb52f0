package io.flinkpersist.persist.ids;

import java.util.UUID;

/** A leased reader, which holds back the shard's since while its lease lasts. Printed as {@code r<uuid>}. */
public final class LeasedReaderId extends PrefixedUuid {
    static final String PREFIX = "r";

    private LeasedReaderId(UUID uuid) {
        super(uuid);
    }

    public static LeasedReaderId of(UUID uuid) {
        return new LeasedReaderId(uuid);
    }

    public static LeasedReaderId random() {
        return new LeasedReaderId(UUID.randomUUID());
    }

    /** Parses the printed form; throws {@link MalformedIdException} naming the input otherwise. */
    public static LeasedReaderId parse(String input) {
        return new LeasedReaderId(parseUuid("LeasedReaderId", PREFIX, input));
    }

    @Override
    String prefix() {
        return PREFIX;
    }
}
