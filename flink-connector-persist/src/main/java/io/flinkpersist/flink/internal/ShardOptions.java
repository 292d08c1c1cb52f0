package io.flinkpersist.flink.internal;

import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.annotation.Internal;

/**
 * The checks of the options a sink and a source share (where the shard lives, which shard, its codecs), with the
 * error type of the builder that asks: each names the builder's option, the value (never a secret) and what is
 * allowed.
 */
@Internal
public final class ShardOptions {
    public static final String SHARD_NAME_NAMESPACE = "flink-connector-persist:";
    public static final int MAX_NAME_LENGTH = 256;

    /** Makes the builder's own exception for an invalid option. */
    @FunctionalInterface
    public interface Errors {
        RuntimeException invalid(String option, String problem, Throwable cause);
    }

    private final Errors errors;

    public ShardOptions(Errors errors) {
        this.errors = errors;
    }

    /** The shard a human name stands for: the same id for the same name, in every job and process. */
    public static ShardId shardIdForName(String name) {
        return ShardId.of(UUID.nameUUIDFromBytes((SHARD_NAME_NAMESPACE + name).getBytes(StandardCharsets.UTF_8)));
    }

    /** The checks a sink and a source share: location, Hadoop options, the shard, the codec names. */
    public ShardAddress address(Path embeddedDir, String blobUri, String consensusUri, Map<String, String> hadoopOptions,
            ShardId shardId, String shardName, String keyCodec, String valueCodec) {
        String embedded = location(embeddedDir, blobUri, consensusUri);
        hadoopOptions(hadoopOptions);
        ShardId shard = shard(shardId, shardName);
        name("keyCodec", keyCodec);
        name("valueCodec", valueCodec);
        return new ShardAddress(embedded, blobUri, consensusUri, hadoopOptions, shard, keyCodec, valueCodec);
    }

    /** Checks the location; returns the embedded directory as an absolute path, or null for the two URIs. */
    private String location(Path embeddedDir, String blobUri, String consensusUri) {
        if (embeddedDir != null) {
            check(blobUri == null && consensusUri == null, "embedded", embeddedDir,
                    "either embedded(dir) or blobUri and consensusUri, not both");
            return embeddedDir.toAbsolutePath().normalize().toString();
        }
        check(blobUri != null, "blobUri", null, "a blob URI (or embedded(dir) instead of both URIs)");
        check(consensusUri != null, "consensusUri", null, "a consensus URI (or embedded(dir) instead of both URIs)");
        // Each URI is parsed next to a valid in-memory stand-in for the other, so that the error names one option.
        parse("blobUri", blobUri, "mem://validation");
        parse("consensusUri", "mem://validation", consensusUri);
        return null;
    }

    private void parse(String option, String blob, String consensus) {
        try {
            PersistLocation.parse(blob, consensus);
        } catch (IllegalArgumentException e) {
            // The core's message lists the accepted forms and never shows a password.
            throw errors.invalid(option, ": " + e.getMessage(), e);
        }
    }

    private void hadoopOptions(Map<String, String> hadoopOptions) {
        check(hadoopOptions != null, "hadoopOptions", null, "a map of Hadoop options (empty by default)");
        for (Map.Entry<String, String> e : new HashMap<>(hadoopOptions).entrySet()) {
            // Values may be secrets: never echo them.
            check(e.getKey() != null && !e.getKey().isBlank() && e.getValue() != null, "hadoopOptions",
                    e.getKey(), "non-empty keys with non-null values");
        }
    }

    /** Checks that exactly one of a shard id and a shard name is given; returns the shard. */
    private ShardId shard(ShardId shardId, String shardName) {
        check(shardId == null || shardName == null, "shard", shardId,
                "either shard(ShardId) or shardName(String), not both");
        if (shardName != null) {
            check(isName(shardName), "shardName", shardName, "1 to " + MAX_NAME_LENGTH + " printable characters");
            return shardIdForName(shardName);
        }
        check(shardId != null, "shard", null, "a ShardId via shard(...) or a name via shardName(...)");
        return shardId;
    }

    public void name(String option, String value) {
        check(isName(value), option, value, "1 to " + MAX_NAME_LENGTH + " printable characters");
    }

    private static boolean isName(String s) {
        return s != null && !s.isBlank() && s.length() <= MAX_NAME_LENGTH
                && s.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    public void check(boolean ok, String option, Object value, String allowed) {
        if (!ok) {
            throw errors.invalid(option, " (" + value + "): allowed values are " + allowed, null);
        }
    }
}
