package io.flinkpersist.persist.ids;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version {@code major.minor.patch} (a pre-release or build suffix is kept but not ordered).
 *
 * <p>Persist records the version of the code that wrote every batch and state, and the writer key of every
 * part is derived from it.
 */
public record BuildVersion(int major, int minor, int patch, String suffix) implements Comparable<BuildVersion> {
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})([-+][0-9A-Za-z.+-]*)?");
    private static final String SHAPE = "major.minor.patch with an optional -prerelease or +build suffix, e.g. 0.1.0";

    public BuildVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers must not be negative: " + major + "." + minor + "." + patch);
        }
        suffix = suffix == null ? "" : suffix;
    }

    public static BuildVersion parse(String input) {
        if (input == null) {
            throw new MalformedIdException("version", null, SHAPE);
        }
        Matcher m = SEMVER.matcher(input);
        if (!m.matches()) {
            throw new MalformedIdException("version", input, SHAPE);
        }
        return new BuildVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), m.group(4));
    }

    /** The version of this build of the connector, from the resource Maven writes at build time. */
    public static BuildVersion current() {
        return Holder.CURRENT;
    }

    /**
     * Whether code of this version may read data that {@code data} wrote: persist refuses data from more than one
     * minor version ahead (a rollback by one release keeps working; data of a newer major is always refused).
     */
    public boolean canReadDataOf(BuildVersion data) {
        if (data.major != major) {
            return data.major < major;
        }
        return data.minor <= minor + 1L;
    }

    @Override
    public int compareTo(BuildVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + suffix;
    }

    private static final class Holder {
        static final BuildVersion CURRENT = load();

        private static BuildVersion load() {
            Properties props = new Properties();
            try (InputStream in = BuildVersion.class.getResourceAsStream("/io/flinkpersist/persist/version.properties")) {
                if (in == null) {
                    throw new IllegalStateException("version.properties is missing from the connector jar");
                }
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return parse(props.getProperty("version"));
        }
    }
}
