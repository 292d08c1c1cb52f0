package io.flinkpersist.flink.source;

import io.flinkpersist.flink.internal.ShardAddress;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.state.Codecs;
import java.io.Serializable;
import java.time.Duration;
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

    private final ShardAddress address;
    private final Mode mode;
    /** Null: the latest time the shard has when the source first starts. */
    private final Long asOf;
    private final long readerLeaseMs;
    /** 0: four per reader. */
    private final int keyRanges;
    private final boolean progressWatermarks;

    PersistSourceConfig(ShardAddress address, Mode mode, Long asOf, Duration readerLease, int keyRanges,
            boolean progressWatermarks) {
        this.address = address;
        this.mode = mode;
        this.asOf = asOf;
        this.readerLeaseMs = readerLease.toMillis();
        this.keyRanges = keyRanges;
        this.progressWatermarks = progressWatermarks;
    }

    public PersistLocation location() {
        return address.location();
    }

    /** Opens a client on the source's location, with the source's reader lease; the caller closes it. */
    public PersistClient openClient() {
        return PersistClient.open(location(), PersistConfig.builder()
                .hadoopOptions(address.hadoopOptions())
                .readerLease(Duration.ofMillis(readerLeaseMs))
                .build());
    }

    public ShardId shardId() {
        return address.shardId();
    }

    public Codecs codecs() {
        return address.codecs();
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
        return "PersistSourceConfig{" + address + ", mode=" + mode
                + ", asOf=" + (asOf == null ? "latest" : asOf) + ", readerLease=" + readerLease()
                + ", keyRanges=" + (keyRanges > 0 ? keyRanges : "4 per reader") + ", progressWatermarks="
                + progressWatermarks + "}";
    }
}
