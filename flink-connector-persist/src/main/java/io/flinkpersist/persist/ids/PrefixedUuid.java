package io.flinkpersist.persist.ids;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The common shape of persist's ids: a short prefix followed by a lowercase, hyphenated UUID.
 *
 * <p>Parsing is strict (the canonical 36-character form only), so an id can never carry {@code /},
 * {@code ..} or whitespace into a blob path or a SQL key.
 */
abstract class PrefixedUuid implements Comparable<PrefixedUuid> {
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final UUID uuid;

    PrefixedUuid(UUID uuid) {
        this.uuid = Objects.requireNonNull(uuid, "uuid");
    }

    abstract String prefix();

    public final UUID uuid() {
        return uuid;
    }

    /** Parses {@code <prefix><uuid>}; the caller wraps the UUID in its own type. */
    static UUID parseUuid(String kind, String prefix, String input) {
        String shape = prefix + "<uuid> with a lowercase hyphenated uuid, e.g. " + prefix
                + "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c";
        if (input == null) {
            throw new MalformedIdException(kind, null, shape);
        }
        if (!input.startsWith(prefix)) {
            throw new MalformedIdException(kind, input, shape, "missing prefix '" + prefix + "'");
        }
        String rest = input.substring(prefix.length());
        if (!CANONICAL_UUID.matcher(rest).matches()) {
            throw new MalformedIdException(kind, input, shape, "not a canonical uuid after the prefix");
        }
        return UUID.fromString(rest);
    }

    @Override
    public final String toString() {
        return prefix() + uuid;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((PrefixedUuid) o).uuid.equals(uuid);
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode() * 31 + uuid.hashCode();
    }

    /** Orders like the string form, which is what blob listings and consensus keys sort by. */
    @Override
    public final int compareTo(PrefixedUuid other) {
        return toString().compareTo(other.toString());
    }
}
