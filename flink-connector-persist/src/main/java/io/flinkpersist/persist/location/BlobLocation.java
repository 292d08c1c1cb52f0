package io.flinkpersist.persist.location;

import io.flinkpersist.persist.QuotedInput;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Where a shard's parts and rollups live: a Hadoop file system root, or a named in-memory store. */
public sealed interface BlobLocation permits BlobLocation.HadoopFs, BlobLocation.InMemory {
    String ACCEPTED_FORMS = "s3a://bucket/prefix, file:///absolute/dir, an absolute or relative directory path, "
            + "hdfs://namenode:8020/dir (or any scheme with a Hadoop FileSystem on the classpath), mem://name";

    /** Why a {@code mem://} URI was rejected; shared with {@link ConsensusLocation}. */
    String MEM_NAME_RULE = "mem:// needs a name of letters, digits, '.', '_' or '-', e.g. mem://test";

    /** The name of a {@code mem://name} URI, or empty if the name is missing or has other characters. */
    static java.util.Optional<String> memName(String memUri) {
        String name = memUri.substring("mem:".length()).replaceFirst("^//", "");
        return Pattern.matches("[A-Za-z0-9._-]+", name) ? java.util.Optional.of(name) : java.util.Optional.empty();
    }

    /** A root on a Hadoop file system, without credentials (those are options). */
    record HadoopFs(URI root) implements BlobLocation {
        @Override
        public String toString() {
            return root.toString();
        }
    }

    /** A JVM-wide in-memory store, for tests. */
    record InMemory(String name) implements BlobLocation {
        @Override
        public String toString() {
            return "mem://" + name;
        }
    }

    static BlobLocation parse(String input) {
        if (input == null || input.isBlank()) {
            throw invalid(input, "it is empty");
        }
        if (!input.equals(input.strip())) {
            throw invalid(input, "it has leading or trailing whitespace");
        }
        if (!input.contains(":")) {
            return localDirectory(input, () -> Paths.get(input));
        }
        if (input.toLowerCase(Locale.ROOT).startsWith("mem:")) {
            return new InMemory(memName(input).orElseThrow(() -> invalid(input, MEM_NAME_RULE)));
        }
        URI uri;
        try {
            uri = new URI(input);
        } catch (URISyntaxException e) {
            throw invalid(input, e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getRawUserInfo() != null) {
            // Do not echo the input: the user info may be a secret.
            throw new IllegalArgumentException("invalid blob URI: it carries credentials before '@'; pass them as "
                    + "Hadoop options such as fs.s3a.access.key / fs.s3a.secret.key instead. Accepted forms: "
                    + ACCEPTED_FORMS);
        }
        switch (scheme) {
            case "file":
                if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()) {
                    throw invalid(input, "a file URI has no host: write "
                            + QuotedInput.of("file:///" + uri.getAuthority() + uri.getPath()));
                }
                if (uri.getPath() == null || uri.getPath().isEmpty()) {
                    throw invalid(input, "a file URI needs an absolute path, e.g. file:///var/lib/persist");
                }
                return localDirectory(input, () -> Paths.get(uri));
            case "s3":
            case "s3n":
                throw invalid(input, "use the s3a:// scheme (Hadoop S3A) for S3");
            case "s3a":
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    throw invalid(input, "an s3a URI needs a bucket, e.g. s3a://bucket/prefix");
                }
                return new HadoopFs(withoutTrailingSlash(uri));
            default:
                if (uri.isOpaque() || uri.getPath() == null) {
                    throw invalid(input, "not a hierarchical URI");
                }
                try {
                    FileSystem.getFileSystemClass(scheme, new Configuration());
                } catch (java.io.IOException e) {
                    throw invalid(input, "no Hadoop FileSystem is available for scheme " + QuotedInput.of(scheme));
                }
                return new HadoopFs(withoutTrailingSlash(uri));
        }
    }

    private static BlobLocation localDirectory(String input, Supplier<Path> path) {
        return new HadoopFs(withoutTrailingSlash(localPath(input, path, "blob URI").toAbsolutePath().normalize()
                .toUri()));
    }

    /**
     * A local path, refused when the JDK cannot make one of it (a NUL character) or it has {@code ..} segments,
     * which would be resolved silently (and differently through symbolic links) to another directory.
     */
    static Path localPath(String input, Supplier<Path> path, String what) {
        Path parsed;
        try {
            parsed = path.get();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("invalid " + what + " " + QuotedInput.of(input) + ": not a valid path ("
                    + e.getReason() + ")");
        }
        for (Path segment : parsed) {
            if (segment.toString().equals("..")) {
                throw new IllegalArgumentException("invalid " + what + " " + QuotedInput.of(input) + ": it has '..' "
                        + "segments; give the directory itself");
            }
        }
        return parsed;
    }

    private static URI withoutTrailingSlash(URI uri) {
        String s = uri.toString();
        while (s.endsWith("/") && !s.endsWith(":///") && !s.endsWith("://" + uri.getAuthority() + "/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    private static IllegalArgumentException invalid(String input, String reason) {
        return new IllegalArgumentException(
                "invalid blob URI " + QuotedInput.of(input) + ": " + reason + ". Accepted forms: " + ACCEPTED_FORMS);
    }
}
