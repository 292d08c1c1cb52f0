package io.flinkpersist.flink;

import io.flinkpersist.flink.internal.ShardAddress;
import io.flinkpersist.flink.internal.ShardOptions;
import io.flinkpersist.persist.ids.ShardId;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The options every builder of a persist sink or source has: where the shard lives, which shard, and its codec
 * names, named the same on both. Setters only record values; the builder's {@code build()} checks them.
 *
 * @param <B> the builder, returned by every setter so that calls chain
 */
@PublicEvolving
public abstract class PersistShardBuilder<B extends PersistShardBuilder<B>> {
    /** The codec name of raw bytes, the default for keys and values. */
    public static final String DEFAULT_CODEC = "bytes";

    private Path embeddedDir;
    private String blobUri;
    private String consensusUri;
    private Map<String, String> hadoopOptions = Map.of();
    private ShardId shardId;
    private String shardName;
    private String keyCodec = DEFAULT_CODEC;
    private String valueCodec = DEFAULT_CODEC;

    protected PersistShardBuilder() {}

    /** The zero-setup location: parts under {@code dir/blob}, consensus in SQLite {@code dir/consensus.db}. */
    public B embedded(Path dir) {
        this.embeddedDir = dir;
        return self();
    }

    /** Where the parts are: a Hadoop file system URI ({@code s3a://bucket/prefix}, {@code file:///dir}) or {@code mem://name}. */
    public B blobUri(String uri) {
        this.blobUri = uri;
        return self();
    }

    /** Where the shard's state is: {@code postgres://…}, {@code jdbc:postgresql://…}, {@code sqlite:…} or {@code mem://name}. */
    public B consensusUri(String uri) {
        this.consensusUri = uri;
        return self();
    }

    /** Hadoop options for the blob file system, e.g. {@code fs.s3a.endpoint}, {@code fs.s3a.access.key}. Never logged. */
    public B hadoopOptions(Map<String, String> options) {
        this.hadoopOptions = options;
        return self();
    }

    public B shard(ShardId shard) {
        this.shardId = shard;
        return self();
    }

    /** A human shard name: the same name is the same shard in every job (a name-based id, see docs/datastream.md). */
    public B shardName(String name) {
        this.shardName = name;
        return self();
    }

    /** The key codec name: the first writer creates the shard with it; every writer and reader must give the same. */
    public B keyCodec(String codec) {
        this.keyCodec = codec;
        return self();
    }

    /** The value codec name: the first writer creates the shard with it; every writer and reader must give the same. */
    public B valueCodec(String codec) {
        this.valueCodec = codec;
        return self();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Checks the options of this class, each error naming its option through {@code options}. */
    @Internal
    protected final ShardAddress checkedAddress(ShardOptions options) {
        return options.address(embeddedDir, blobUri, consensusUri, hadoopOptions, shardId, shardName, keyCodec,
                valueCodec);
    }
}
