package io.flinkpersist.flink.source;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.state.Codecs;
import java.io.Serializable;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Everything a source's enumerator and readers need, checked by {@link PersistSourceBuilder}: serializable, so each
 * task opens its own {@link PersistClient} from it. Core types are kept as strings and numbers.
 */
@Internal
public final class PersistSourceConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What the source reads. */
    public enum Mode {
        /** The snapshot as of a time, then the source ends. */
        SNAPSHOT,
        /** The snapshot as of a time, then every change after it as it is committed. */
        CHANGELOG,
        /** Every change after a time, as it is committed. */
        CHANGES_AFTER
    }

    private final String embeddedDir;
    private final String blobUri;
    private final String consensusUri;
    private final HashMap<String, String> hadoopOptions;
    private final String shardId;
    private final String keyCodec;
    private final String valueCodec;
    private final Mode mode;
    /** Null: the latest time the shard has when the source first starts. */
    private final Long asOf;
    private final long readerLeaseMs;
    /** 0: four per reader. */
    private final int keyRanges;
    private final boolean progressWatermarks;

    PersistSourceConfig(String embeddedDir, String blobUri, String consensusUri, Map<String, String> hadoopOptions,
            ShardId shardId, String keyCodec, String valueCodec, Mode mode, Long asOf, Duration readerLease,
            int keyRanges, boolean progressWatermarks) {
        this.embeddedDir = embeddedDir;
        this.blobUri = blobUri;
        this.consensusUri = consensusUri;
        this.hadoopOptions = new HashMap<>(hadoopOptions);
        this.shardId = shardId.toString();
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
        this.mode = mode;
        this.asOf = asOf;
        this.readerLeaseMs = readerLease.toMillis();
        this.keyRanges = keyRanges;
        this.progressWatermarks = progressWatermarks;
    }

    public PersistLocation location() {
        return embeddedDir != null
                ? PersistLocation.embedded(Paths.get(embeddedDir))
                : PersistLocation.parse(blobUri, consensusUri);
    }

    /** Opens a client on the source's location, with the source's reader lease; the caller closes it. */
    public PersistClient openClient() {
        return PersistClient.open(location(), PersistConfig.builder()
                .hadoopOptions(hadoopOptions)
                .readerLease(Duration.ofMillis(readerLeaseMs))
                .build());
    }

    public ShardId shardId() {
        return ShardId.parse(shardId);
    }

    public Codecs codecs() {
        return Codecs.of(keyCodec, valueCodec);
    }

    public Mode mode() {
        return mode;
    }

    /** The time to read as of (or the changes after), or null for the latest when the source first starts. */
    public Long asOf() {
        return asOf;
    }

    public Duration readerLease() {
        return Duration.ofMillis(readerLeaseMs);
    }

    /** How many key ranges to read the shard in, for {@code parallelism} readers. */
    public int keyRanges(int parallelism) {
        return keyRanges > 0 ? keyRanges : 4 * Math.max(1, parallelism);
    }

    /** Whether readers emit, per key range, a watermark one below the time their read has moved past. */
    public boolean progressWatermarks() {
        return progressWatermarks;
    }

    @Override
    public String toString() {
        return "PersistSourceConfig{location=" + location() + ", hadoopOptions=" + hadoopOptions.keySet()
                + ", shard=" + shardId + ", codecs=" + keyCodec + "/" + valueCodec + ", mode=" + mode
                + ", asOf=" + (asOf == null ? "latest" : asOf) + ", readerLease=" + readerLease()
                + ", keyRanges=" + (keyRanges > 0 ? keyRanges : "4 per reader") + ", progressWatermarks="
                + progressWatermarks + "}";
    }
}
