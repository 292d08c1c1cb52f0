package io.flinkpersist.flink.table;

import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_ALLOW_NO_CHECKPOINTING;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_COMMIT_RETRIES;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_ID;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_INLINE_THRESHOLD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_MARKER_RETENTION;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_PAGE_CHECKSUMS;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_ENABLED;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_HISTORY_RETENTION;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_CONCURRENCY;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_MEMORY_BOUND;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_ORPHAN_GRACE;
import static io.flinkpersist.flink.table.PersistConnectorOptions.STATE_ROLLUP_THRESHOLD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_MAX_OUTSTANDING_PARTS;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_PART_TARGET_SIZE;

import io.flinkpersist.flink.sink.InvalidSinkOptionException;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.PersistSinkBuilder;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.data.RowData;

/**
 * The table options that become {@link PersistSinkBuilder} settings. The builder checks them when the planner
 * asks for the runtime sink; its errors name builder options, which are renamed here to the table options.
 */
@Internal
final class SinkSettings {
    /** The table option of each builder option the address does not name. */
    private static final Map<String, String> TABLE_OPTION_OF_BUILDER_OPTION = Map.ofEntries(
            Map.entry("sinkId", SINK_ID.key()),
            Map.entry("partTargetSizeBytes", SINK_PART_TARGET_SIZE.key()),
            Map.entry("maxOutstandingParts", SINK_MAX_OUTSTANDING_PARTS.key()),
            Map.entry("inlineThresholdBytes", SINK_INLINE_THRESHOLD.key()),
            Map.entry("commitRetries", SINK_COMMIT_RETRIES.key()),
            Map.entry("markerRetention", SINK_MARKER_RETENTION.key()),
            Map.entry("rollupThreshold", STATE_ROLLUP_THRESHOLD.key()),
            Map.entry("historyRetention", COMPACTION_HISTORY_RETENTION.key()),
            Map.entry("compactionMemoryBound", COMPACTION_MEMORY_BOUND.key()),
            Map.entry("compactionConcurrency", COMPACTION_CONCURRENCY.key()),
            Map.entry("orphanGrace", COMPACTION_ORPHAN_GRACE.key()));

    private final TableShardAddress address;
    /** Null for the builder's default. */
    private final String sinkId;
    private final long partTargetSizeBytes;
    private final int maxOutstandingParts;
    private final long inlineThresholdBytes;
    private final boolean pageChecksums;
    private final int commitRetries;
    private final Duration markerRetention;
    private final boolean allowNoCheckpointing;
    private final int rollupThreshold;
    private final boolean compaction;
    private final Duration historyRetention;
    /** Null for the builder's default. */
    private final Long compactionMemoryBoundBytes;
    private final int compactionConcurrency;
    /** Null for the builder's default. */
    private final Duration orphanGrace;

    private SinkSettings(TableShardAddress address, String sinkId, long partTargetSizeBytes, int maxOutstandingParts,
            long inlineThresholdBytes, boolean pageChecksums, int commitRetries, Duration markerRetention, boolean allowNoCheckpointing, int rollupThreshold,
            boolean compaction, Duration historyRetention, Long compactionMemoryBoundBytes, int compactionConcurrency,
            Duration orphanGrace) {
        this.address = address;
        this.sinkId = sinkId;
        this.partTargetSizeBytes = partTargetSizeBytes;
        this.maxOutstandingParts = maxOutstandingParts;
        this.inlineThresholdBytes = inlineThresholdBytes;
        this.pageChecksums = pageChecksums;
        this.commitRetries = commitRetries;
        this.markerRetention = markerRetention;
        this.allowNoCheckpointing = allowNoCheckpointing;
        this.rollupThreshold = rollupThreshold;
        this.compaction = compaction;
        this.historyRetention = historyRetention;
        this.compactionMemoryBoundBytes = compactionMemoryBoundBytes;
        this.compactionConcurrency = compactionConcurrency;
        this.orphanGrace = orphanGrace;
    }

    /** {@code tableOptions} are the raw options, for the 'hadoop.' ones that no ConfigOption declares. */
    static SinkSettings of(ReadableConfig options, Map<String, String> tableOptions) {
        return new SinkSettings(
                TableShardAddress.of(options, tableOptions),
                options.get(SINK_ID),
                options.get(SINK_PART_TARGET_SIZE).getBytes(),
                options.get(SINK_MAX_OUTSTANDING_PARTS),
                options.get(SINK_INLINE_THRESHOLD).getBytes(),
                options.get(SINK_PAGE_CHECKSUMS),
                options.get(SINK_COMMIT_RETRIES),
                options.get(SINK_MARKER_RETENTION),
                options.get(SINK_ALLOW_NO_CHECKPOINTING),
                options.get(STATE_ROLLUP_THRESHOLD),
                options.get(COMPACTION_ENABLED),
                options.get(COMPACTION_HISTORY_RETENTION),
                options.getOptional(COMPACTION_MEMORY_BOUND).map(MemorySize::getBytes).orElse(null),
                options.get(COMPACTION_CONCURRENCY),
                options.get(COMPACTION_ORPHAN_GRACE));
    }

    PersistSink<RowData> build(String keyCodec, String valueCodec, PersistRecordSerializer<RowData> serializer) {
        PersistSinkBuilder<RowData> builder = PersistSink.<RowData>builder()
                .keyCodec(keyCodec)
                .valueCodec(valueCodec)
                .serializer(serializer)
                .partTargetSizeBytes(partTargetSizeBytes)
                .maxOutstandingParts(maxOutstandingParts)
                .inlineThresholdBytes(inlineThresholdBytes)
                .pageChecksums(pageChecksums)
                .commitRetries(commitRetries)
                .markerRetention(markerRetention)
                .allowNoCheckpointing(allowNoCheckpointing)
                .rollupThreshold(rollupThreshold)
                .compaction(compaction)
                .historyRetention(historyRetention)
                .compactionConcurrency(compactionConcurrency)
                .orphanGrace(orphanGrace);
        if (compactionMemoryBoundBytes != null) {
            builder.compactionMemoryBound(compactionMemoryBoundBytes);
        }
        address.applyTo(builder);
        if (sinkId != null) {
            builder.sinkId(sinkId);
        }
        try {
            return builder.build();
        } catch (InvalidSinkOptionException e) {
            throw TableShardAddress.invalidOption(e, TABLE_OPTION_OF_BUILDER_OPTION);
        }
    }
}
