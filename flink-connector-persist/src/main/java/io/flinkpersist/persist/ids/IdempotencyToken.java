package io.flinkpersist.persist.ids;

import java.util.UUID;

/** Names one logical compare_and_append so that a retry of it is recognised. Printed as {@code i<uuid>}. */
public final class IdempotencyToken extends PrefixedUuid {
    static final String PREFIX = "i";

    /** The token of a writer that has not appended yet: 16 bytes of 0x11. Printed as the empty string in state. */
    public static final IdempotencyToken SENTINEL =
            new IdempotencyToken(UUID.fromString("11111111-1111-1111-1111-111111111111"));

    private IdempotencyToken(UUID uuid) {
        super(uuid);
    }

    public static IdempotencyToken of(UUID uuid) {
        return new IdempotencyToken(uuid);
    }

    public static IdempotencyToken random() {
        return new IdempotencyToken(UUID.randomUUID());
    }

    /** Parses the printed form; throws {@link MalformedIdException} naming the input otherwise. */
    public static IdempotencyToken parse(String input) {
        return new IdempotencyToken(parseUuid("IdempotencyToken", PREFIX, input));
    }

    @Override
    String prefix() {
        return PREFIX;
    }
}
