package io.flinkpersist.persist.ids;

import java.util.Objects;

/**
 * The first path component of a batch part's key: who could have written it.
 *
 * <p>Current writers use the build version, {@code n<MMmmmpp>} (major in 2 digits, minor in 3, patch in 2),
 * so keys order like the versions that wrote them; the legacy form is a writer id {@code w<uuid>}, and every
 * legacy key orders below every version key ({@link #compareTo}). Garbage collection and leak detection rely on that order.
 */
public final class WriterKey implements Comparable<WriterKey> {
    private static final String SHAPE = "n<MMmmmpp> (7 digits: major, minor, patch, e.g. n0012803 for 0.128.3) or w<uuid>";

    private final String printed;

    private WriterKey(String printed) {
        this.printed = printed;
    }

    public static WriterKey forVersion(BuildVersion version) {
        if (version.major() > 99 || version.minor() > 999 || version.patch() > 99) {
            throw new IllegalArgumentException("version " + version
                    + " cannot be a writer key: major must be <= 99, minor <= 999 and patch <= 99");
        }
        return new WriterKey(String.format("n%02d%03d%02d", version.major(), version.minor(), version.patch()));
    }

    public static WriterKey forWriter(WriterId writerId) {
        return new WriterKey(writerId.toString());
    }

    /** The writer key for parts written by this build. */
    public static WriterKey current() {
        return forVersion(BuildVersion.current());
    }

    public static WriterKey parse(String input) {
        if (input != null && input.startsWith(WriterId.PREFIX)) {
            try {
                return forWriter(WriterId.parse(input));
            } catch (MalformedIdException e) {
                throw new MalformedIdException("WriterKey", input, SHAPE, e.getMessage());
            }
        }
        if (input == null || input.length() != 8 || input.charAt(0) != 'n'
                || !input.substring(1).chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedIdException("WriterKey", input, SHAPE);
        }
        return new WriterKey(input);
    }

    /** The version that wrote parts under this key, or null for a legacy writer-id key. */
    public BuildVersion version() {
        if (printed.charAt(0) != 'n') {
            return null;
        }
        return new BuildVersion(Integer.parseInt(printed.substring(1, 3)), Integer.parseInt(printed.substring(3, 6)),
                Integer.parseInt(printed.substring(6, 8)), "");
    }

    /** Legacy writer-id keys first (not string order: 'w' sorts after 'n'), then versions in version order. */
    @Override
    public int compareTo(WriterKey o) {
        boolean legacy = version() == null;
        boolean otherLegacy = o.version() == null;
        if (legacy != otherLegacy) {
            return legacy ? -1 : 1;
        }
        return printed.compareTo(o.printed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WriterKey other && other.printed.equals(printed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(printed);
    }

    @Override
    public String toString() {
        return printed;
    }
}
