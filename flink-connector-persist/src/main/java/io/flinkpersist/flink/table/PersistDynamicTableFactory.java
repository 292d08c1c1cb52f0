package io.flinkpersist.flink.table;

import static io.flinkpersist.flink.table.PersistConnectorOptions.BLOB_URI;
import static io.flinkpersist.flink.table.PersistConnectorOptions.CONSENSUS_PASSWORD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.CONSENSUS_URI;
import static io.flinkpersist.flink.table.PersistConnectorOptions.FORMAT;
import static io.flinkpersist.flink.table.PersistConnectorOptions.HADOOP_PREFIX;
import static io.flinkpersist.flink.table.PersistConnectorOptions.KEY_FIELDS;
import static io.flinkpersist.flink.table.PersistConnectorOptions.KEY_FORMAT;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SHARD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_ALLOW_NO_CHECKPOINTING;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_COMMIT_RETRIES;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_ID;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_MARKER_RETENTION;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_ENABLED;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_HISTORY_RETENTION;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_CONCURRENCY;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_MEMORY_BOUND;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_ORPHAN_GRACE;
import static io.flinkpersist.flink.table.PersistConnectorOptions.STATE_ROLLUP_THRESHOLD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_INLINE_THRESHOLD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_MAX_OUTSTANDING_PARTS;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_PARALLELISM;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_PART_TARGET_SIZE;
import static io.flinkpersist.flink.table.PersistConnectorOptions.VALUE_FIELDS_INCLUDE;
import static io.flinkpersist.flink.table.PersistConnectorOptions.VALUE_FORMAT;

import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.types.RowKind;

/** {@code 'connector' = 'persist'}: a table sink into a persist shard. Options: {@link PersistConnectorOptions}. */
@Internal
public final class PersistDynamicTableFactory implements DynamicTableSinkFactory {
    public static final String IDENTIFIER = "persist";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(BLOB_URI, CONSENSUS_URI, SHARD);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(CONSENSUS_PASSWORD, FORMAT, KEY_FORMAT, KEY_FIELDS, VALUE_FORMAT, VALUE_FIELDS_INCLUDE,
                SINK_PARALLELISM, SINK_ID, SINK_PART_TARGET_SIZE, SINK_MAX_OUTSTANDING_PARTS, SINK_INLINE_THRESHOLD,
                SINK_COMMIT_RETRIES, SINK_MARKER_RETENTION, SINK_ALLOW_NO_CHECKPOINTING, STATE_ROLLUP_THRESHOLD,
                COMPACTION_ENABLED, COMPACTION_HISTORY_RETENTION, COMPACTION_MEMORY_BOUND, COMPACTION_CONCURRENCY,
                COMPACTION_ORPHAN_GRACE);
    }

    /**
     * Options a restored compiled plan may change: they shape neither the topology nor where committables
     * point. The location, shard, layout and sink id are not among them: restored committables refer to parts
     * under the old blob URI and to the old shard and sink id.
     */
    @Override
    public Set<ConfigOption<?>> forwardOptions() {
        return Set.of(CONSENSUS_PASSWORD, SINK_PART_TARGET_SIZE, SINK_MAX_OUTSTANDING_PARTS, SINK_INLINE_THRESHOLD,
                SINK_COMMIT_RETRIES, SINK_MARKER_RETENTION, SINK_ALLOW_NO_CHECKPOINTING, STATE_ROLLUP_THRESHOLD,
                COMPACTION_ENABLED, COMPACTION_HISTORY_RETENTION, COMPACTION_MEMORY_BOUND, COMPACTION_CONCURRENCY,
                COMPACTION_ORPHAN_GRACE);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        ReadableConfig options = helper.getOptions();
        RowLayout layout = options.get(KEY_FIELDS).isEmpty() ? wholeRowKey(helper, options)
                : keyAndValue(helper, options, context);
        // Format options were consumed by the discovery above; the 'hadoop.' ones are Hadoop's to check.
        helper.validateExcept(HADOOP_PREFIX);
        if (context.getCatalogTable().getResolvedSchema().getPrimaryKey().isPresent()) {
            throw new ValidationException("'persist' tables cannot declare a PRIMARY KEY: a shard is a collection "
                    + "of rows with multiplicities (each +I/+U adds a row, each -U/-D retracts one), not an upsert "
                    + "table, and with a primary key Flink may turn the changelog into upserts without the -U rows "
                    + "the shard needs. Drop the PRIMARY KEY clause; the shard's snapshot still equals the query's "
                    + "result.");
        }
        return new PersistDynamicSink(context.getPhysicalRowDataType(), layout,
                SinkSettings.of(options, context.getCatalogTable().getOptions()),
                options.getOptional(SINK_PARALLELISM).orElse(null));
    }

    private static RowLayout wholeRowKey(FactoryUtil.TableFactoryHelper helper, ReadableConfig options) {
        for (ConfigOption<?> option : List.of(KEY_FORMAT, VALUE_FORMAT, VALUE_FIELDS_INCLUDE)) {
            if (options.getOptional(option).isPresent()) {
                throw new ValidationException("Option '" + option.key() + "' needs 'key.fields'; without "
                        + "'key.fields' the whole row is the key, encoded with 'format', and the value is empty");
            }
        }
        return RowLayout.wholeRowKey(format(helper, FORMAT), options.get(FORMAT));
    }

    private static RowLayout keyAndValue(FactoryUtil.TableFactoryHelper helper, ReadableConfig options,
            Context context) {
        if (options.getOptional(FORMAT).isPresent()) {
            throw new ValidationException("Option 'format' is for tables without 'key.fields'; with 'key.fields' "
                    + "set 'key.format' and 'value.format'");
        }
        return RowLayout.keyAndValue(context.getPhysicalRowDataType(), options.get(KEY_FIELDS),
                options.get(VALUE_FIELDS_INCLUDE), format(helper, KEY_FORMAT), options.get(KEY_FORMAT),
                format(helper, VALUE_FORMAT), options.get(VALUE_FORMAT));
    }

    /** Row formats only: one that encodes changes itself (debezium-json …) would hide the diff's meaning. */
    private static EncodingFormat<SerializationSchema<RowData>> format(FactoryUtil.TableFactoryHelper helper,
            ConfigOption<String> option) {
        EncodingFormat<SerializationSchema<RowData>> format;
        try {
            format = helper.discoverEncodingFormat(SerializationFormatFactory.class, option);
        } catch (ValidationException e) {
            // Flink names a missing format option, but not the option of an unknown format identifier.
            if (helper.getOptions().getOptional(option).isEmpty()) {
                throw e;
            }
            throw new ValidationException("Invalid value for option '" + option.key() + "' ('"
                    + helper.getOptions().get(option) + "'): " + e.getMessage(), e);
        }
        if (!format.getChangelogMode().containsOnly(RowKind.INSERT)) {
            throw new ValidationException("Invalid value for option '" + option.key() + "': format "
                    + helper.getOptions().get(option) + " encodes a changelog (" + format.getChangelogMode()
                    + "), but persist keeps row kinds as diffs: use a format that encodes plain rows (json, csv, "
                    + "avro, raw, …)");
        }
        return format;
    }
}
