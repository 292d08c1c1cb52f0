package io.flinkpersist.flink.internal;

import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.state.Codecs;
import java.io.Serializable;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Where a shard lives, which shard it is and its codecs, as a builder checked them, in a serializable form every
 * task opens the shard from. Core types are kept as strings (they are not {@link Serializable}; they were checked
 * to parse). {@link #toString()} is safe to log: neither the consensus URI (it may hold a password) nor the Hadoop
 * option values (S3 keys) are shown.
 */
@Internal
public final class ShardAddress implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String embeddedDir;
    private final String blobUri;
    private final String consensusUri;
    private final HashMap<String, String> hadoopOptions;
    private final String shardId;
    private final String keyCodec;
    private final String valueCodec;

    ShardAddress(String embeddedDir, String blobUri, String consensusUri, Map<String, String> hadoopOptions,
            ShardId shardId, String keyCodec, String valueCodec) {
        this.embeddedDir = embeddedDir;
        this.blobUri = blobUri;
        this.consensusUri = consensusUri;
        this.hadoopOptions = new HashMap<>(hadoopOptions);
        this.shardId = shardId.toString();
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
    }

    public PersistLocation location() {
        return embeddedDir != null
                ? PersistLocation.embedded(Paths.get(embeddedDir))
                : PersistLocation.parse(blobUri, consensusUri);
    }

    public Map<String, String> hadoopOptions() {
        return Map.copyOf(hadoopOptions);
    }

    public ShardId shardId() {
        return ShardId.parse(shardId);
    }

    public Codecs codecs() {
        return Codecs.of(keyCodec, valueCodec);
    }

    @Override
    public String toString() {
        return "location=" + location() + ", hadoopOptions=" + hadoopOptions.keySet() + ", shard=" + shardId
                + ", codecs=" + keyCodec + "/" + valueCodec;
    }
}
