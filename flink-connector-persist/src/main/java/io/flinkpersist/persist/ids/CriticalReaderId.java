package io.flinkpersist.persist.ids;

import java.util.UUID;

/** A critical reader, which holds back the shard's since until it is removed. Printed as {@code c<uuid>}. */
public final class CriticalReaderId extends PrefixedUuid {
    static final String PREFIX = "c";

    private CriticalReaderId(UUID uuid) {
        super(uuid);
    }

    public static CriticalReaderId of(UUID uuid) {
        return new CriticalReaderId(uuid);
    }

    public static CriticalReaderId random() {
        return new CriticalReaderId(UUID.randomUUID());
    }

    /** Parses the printed form; throws {@link MalformedIdException} naming the input otherwise. */
    public static CriticalReaderId parse(String input) {
        return new CriticalReaderId(parseUuid("CriticalReaderId", PREFIX, input));
    }

    @Override
    String prefix() {
        return PREFIX;
    }
}
