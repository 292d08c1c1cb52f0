package io.flinkpersist.flink.source;

import io.flinkpersist.flink.PersistShardBuilder;
import io.flinkpersist.flink.internal.ShardAddress;
import io.flinkpersist.flink.internal.ShardOptions;
import io.flinkpersist.persist.PersistConfig;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Builds a {@link PersistSource}. Setters only record values; {@link #build()} checks them all and throws an
 * {@link InvalidSourceOptionException} naming the first bad option and what it allows. Location, shard and codec
 * options are named as the sink's. See docs/source.md.
 */
@PublicEvolving
public final class PersistSourceBuilder<T> extends PersistShardBuilder<PersistSourceBuilder<T>> {
    public static final int MAX_KEY_RANGES = 65_536;

    private PersistRecordDeserializer<T> deserializer;
    private PersistSourceConfig.Mode mode = PersistSourceConfig.Mode.SNAPSHOT;
    private Long asOf;
    private Duration readerLease = PersistConfig.DEFAULT_READER_LEASE;
    private int keyRanges;
    private boolean progressWatermarks;

    PersistSourceBuilder() {}

    public PersistSourceBuilder<T> deserializer(PersistRecordDeserializer<T> deserializer) {
        this.deserializer = deserializer;
        return this;
    }

    /** Bounded: the snapshot as of the latest time committed when the job first starts (the default). */
    public PersistSourceBuilder<T> snapshot() {
        return mode(PersistSourceConfig.Mode.SNAPSHOT, null);
    }

    /** Bounded: the snapshot as of {@code time} (waits until the shard has been committed past it). */
    public PersistSourceBuilder<T> snapshotAsOf(long time) {
        return mode(PersistSourceConfig.Mode.SNAPSHOT, time);
    }

    /** Unbounded: the latest snapshot when the job first starts, then every change after it as it is committed. */
    public PersistSourceBuilder<T> changelog() {
        return mode(PersistSourceConfig.Mode.CHANGELOG, null);
    }

    /** Unbounded: the snapshot as of {@code time}, then every change after it as it is committed. */
    public PersistSourceBuilder<T> changelogAsOf(long time) {
        return mode(PersistSourceConfig.Mode.CHANGELOG, time);
    }

    /** Unbounded: every change at a time after {@code time}, as it is committed, without a snapshot. */
    public PersistSourceBuilder<T> changesAfter(long time) {
        return mode(PersistSourceConfig.Mode.CHANGES_AFTER, time);
    }

    private PersistSourceBuilder<T> mode(PersistSourceConfig.Mode mode, Long asOf) {
        this.mode = mode;
        this.asOf = asOf;
        return this;
    }

    /**
     * How long the shard keeps the history a reader holds after the reader stops renewing its lease (its job is
     * down): a job restored later than this after it stopped may find the history it needs compacted, and fails
     * saying so. Persist's default, 15 minutes.
     */
    public PersistSourceBuilder<T> readerLease(Duration lease) {
        this.readerLease = lease;
        return this;
    }

    /** How many key ranges to read the shard in; by default four per reader. */
    public PersistSourceBuilder<T> keyRanges(int ranges) {
        this.keyRanges = ranges;
        return this;
    }

    /**
     * Emits the shard's progress as watermarks: once a key range has been read through all times below a frontier
     * (the end of its snapshot, or of a commit's changes), a watermark one below that frontier follows, so every
     * update at or below a watermark has been emitted before it; Flink forwards the least over key ranges and
     * readers, and an idle reader (one without a key range) is marked idle. Elements carry their update's time as
     * timestamp. Use with {@code WatermarkStrategy.noWatermarks()} to have only these; off by default.
     */
    public PersistSourceBuilder<T> progressWatermarks(boolean enabled) {
        this.progressWatermarks = enabled;
        return this;
    }

    public PersistSource<T> build() {
        ShardOptions options = new ShardOptions(InvalidSourceOptionException::new);
        ShardAddress address = checkedAddress(options);
        options.check(deserializer != null, "deserializer", null,
                "a PersistRecordDeserializer, e.g. PersistRecordDeserializer.valueOnly(schema)");
        options.check(asOf == null || asOf >= 0, "asOf", asOf, "a time of 0 or more");
        options.check(readerLease != null && readerLease.compareTo(Duration.ofSeconds(1)) >= 0, "readerLease",
                readerLease, "a duration of at least 1 second");
        options.check(keyRanges >= 0 && keyRanges <= MAX_KEY_RANGES, "keyRanges", keyRanges,
                "1 to " + MAX_KEY_RANGES + ", or 0 for four per reader");
        return new PersistSource<>(new PersistSourceConfig(address, mode, asOf, readerLease, keyRanges,
                progressWatermarks), deserializer);
    }
}
