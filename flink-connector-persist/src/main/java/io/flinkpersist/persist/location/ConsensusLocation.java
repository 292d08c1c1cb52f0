package io.flinkpersist.persist.location;

import io.flinkpersist.persist.QuotedInput;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/** Where a shard's consensus log lives: PostgreSQL, an embedded SQLite file, or a named in-memory log. */
public sealed interface ConsensusLocation
        permits ConsensusLocation.Postgres, ConsensusLocation.Sqlite, ConsensusLocation.InMemory {
    String ACCEPTED_FORMS = "postgres://user[:password]@host[:port]/database[?param=value...] "
            + "(or postgresql://), jdbc:postgresql://host[:port]/database[?...], sqlite:///absolute/path.db, "
            + "sqlite:relative/path.db, mem://name";

    /**
     * A PostgreSQL database, as a JDBC URL plus credentials kept apart so they can be left out of every
     * message. {@link #toString()} never shows the password.
     */
    record Postgres(String jdbcUrl, String user, String password) implements ConsensusLocation {
        @Override
        public String toString() {
            return maskPasswords(jdbcUrl)
                    + (user == null ? "" : " (user " + user + (password == null ? "" : ", password ***") + ")");
        }
    }

    /** One local SQLite file: the zero-setup default. */
    record Sqlite(Path file) implements ConsensusLocation {
        @Override
        public String toString() {
            return "sqlite://" + file.toUri().getPath();
        }
    }

    /** A JVM-wide in-memory log, for tests. */
    record InMemory(String name) implements ConsensusLocation {
        @Override
        public String toString() {
            return "mem://" + name;
        }
    }

    static ConsensusLocation parse(String input) {
        if (input == null || input.isBlank()) {
            throw invalid(QuotedInput.of(input), "it is empty");
        }
        String lower = input.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            if (!lower.startsWith("jdbc:postgresql://")) {
                throw invalid(redacted(input), "a JDBC URL needs a host: jdbc:postgresql://host/database");
            }
            return new Postgres(input, null, null);
        }
        if (lower.startsWith("mem:")) {
            return new InMemory(BlobLocation.memName(input)
                    .orElseThrow(() -> invalid(redacted(input), BlobLocation.MEM_NAME_RULE)));
        }
        if (lower.startsWith("jdbc:")) {
            throw invalid(redacted(input), "only jdbc:postgresql: JDBC URLs are supported");
        }
        URI uri;
        try {
            uri = new URI(input);
        } catch (URISyntaxException e) {
            throw invalid(redacted(input), e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "postgres":
            case "postgresql":
                return postgres(uri, input);
            case "sqlite":
                return sqlite(uri, input);
            default:
                throw invalid(redacted(input), scheme.isEmpty() ? "it has no scheme" : "unknown scheme "
                        + QuotedInput.of(scheme));
        }
    }

    private static Postgres postgres(URI uri, String input) {
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(redacted(input), "a postgres URI needs a host, e.g. postgres://user@localhost:5432/db");
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (database.isEmpty() || database.contains("/")) {
            throw invalid(redacted(input), "a postgres URI needs exactly one database name after the host");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String hostPort = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new Postgres("jdbc:postgresql://" + hostPort + "/" + database + query, user, password);
    }

    private static Sqlite sqlite(URI uri, String input) {
        if (uri.isOpaque()) {
            // sqlite:relative/path.db
            String path = uri.getSchemeSpecificPart();
            if (path == null || path.isEmpty()) {
                throw invalid(redacted(input), "an sqlite URI needs a file path, e.g. sqlite:///var/lib/persist/consensus.db");
            }
            return new Sqlite(BlobLocation.localPath(maskPasswords(input), () -> Paths.get(path), "consensus URI")
                    .toAbsolutePath().normalize());
        }
        if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()) {
            throw invalid(redacted(input), "an sqlite URI has no host: write "
                    + QuotedInput.of("sqlite:///" + uri.getAuthority() + uri.getPath()));
        }
        if (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().endsWith("/")) {
            throw invalid(redacted(input), "an sqlite URI needs a file path, e.g. sqlite:///var/lib/persist/consensus.db");
        }
        return new Sqlite(BlobLocation.localPath(maskPasswords(input), () -> Paths.get(uri.getPath()), "consensus URI")
                .normalize());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The input with any password (user info or parameter) masked, safe to put in a message. */
    private static String redacted(String input) {
        return QuotedInput.of(maskPasswords(input));
    }

    /** Masks a {@code password=} parameter and the password of {@code user:password@} user info. */
    private static String maskPasswords(String uri) {
        return uri.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(://[^/@:]*):[^/@]*@", "$1:***@");
    }

    private static IllegalArgumentException invalid(String shownInput, String reason) {
        return new IllegalArgumentException(
                "invalid consensus URI " + shownInput + ": " + reason + ". Accepted forms: " + ACCEPTED_FORMS);
    }
}
