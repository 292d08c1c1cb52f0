package io.flinkpersist.flink.table;

import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_AS_OF;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_KEY_RANGES;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_MODE;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_READER_LEASE;

import io.flinkpersist.flink.source.InvalidSourceOptionException;
import io.flinkpersist.flink.source.PersistRecordDeserializer;
import io.flinkpersist.flink.source.PersistSource;
import io.flinkpersist.flink.source.PersistSourceBuilder;
import io.flinkpersist.flink.table.PersistConnectorOptions.ScanMode;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.RowData;

/**
 * The table options that become {@link PersistSourceBuilder} settings. The builder checks them when the planner
 * asks for the runtime source; its errors name builder options, which are renamed here to the table options.
 */
@Internal
final class SourceSettings {
    /** The table option of each builder option the address does not name. */
    private static final Map<String, String> TABLE_OPTION_OF_BUILDER_OPTION = Map.of(
            "asOf", SCAN_AS_OF.key(),
            "readerLease", SCAN_READER_LEASE.key(),
            "keyRanges", SCAN_KEY_RANGES.key());

    private final TableShardAddress address;
    private final ScanMode mode;
    /** Null: the latest time when the job first starts. */
    private final Long asOf;
    private final Duration readerLease;
    /** 0: the builder's default. */
    private final int keyRanges;

    private SourceSettings(TableShardAddress address, ScanMode mode, Long asOf, Duration readerLease,
            int keyRanges) {
        this.address = address;
        this.mode = mode;
        this.asOf = asOf;
        this.readerLease = readerLease;
        this.keyRanges = keyRanges;
    }

    /** {@code tableOptions} are the raw options, for the 'hadoop.' ones that no ConfigOption declares. */
    static SourceSettings of(ReadableConfig options, Map<String, String> tableOptions) {
        ScanMode mode = options.get(SCAN_MODE);
        Long asOf = options.getOptional(SCAN_AS_OF).orElse(null);
        if (mode == ScanMode.FROM_TIMESTAMP && asOf == null) {
            throw new ValidationException("Option '" + SCAN_AS_OF.key() + "' is required with '" + SCAN_MODE.key()
                    + "' = '" + ScanMode.FROM_TIMESTAMP + "': the changes are those at times after it");
        }
        Integer keyRanges = options.getOptional(SCAN_KEY_RANGES).orElse(null);
        if (keyRanges != null && keyRanges == 0) {
            // 0 is the builder's "default" and would pass its check.
            throw new ValidationException("Invalid value for option '" + SCAN_KEY_RANGES.key() + "' (0): 1 to "
                    + PersistSourceBuilder.MAX_KEY_RANGES + ", or leave it out for four per reader");
        }
        return new SourceSettings(TableShardAddress.of(options, tableOptions), mode, asOf,
                options.get(SCAN_READER_LEASE), keyRanges == null ? 0 : keyRanges);
    }

    ScanMode mode() {
        return mode;
    }

    PersistSource<RowData> build(String keyCodec, String valueCodec, PersistRecordDeserializer<RowData> rows) {
        PersistSourceBuilder<RowData> builder = PersistSource.<RowData>builder()
                .keyCodec(keyCodec)
                .valueCodec(valueCodec)
                .deserializer(rows)
                .readerLease(readerLease)
                .keyRanges(keyRanges);
        address.applyTo(builder);
        switch (mode) {
            case SNAPSHOT -> {
                if (asOf == null) {
                    builder.snapshot();
                } else {
                    builder.snapshotAsOf(asOf);
                }
            }
            case CHANGELOG -> {
                if (asOf == null) {
                    builder.changelog();
                } else {
                    builder.changelogAsOf(asOf);
                }
            }
            case FROM_TIMESTAMP -> builder.changesAfter(asOf);
        }
        try {
            return builder.build();
        } catch (InvalidSourceOptionException e) {
            throw TableShardAddress.invalidOption(e, TABLE_OPTION_OF_BUILDER_OPTION);
        }
    }
}
