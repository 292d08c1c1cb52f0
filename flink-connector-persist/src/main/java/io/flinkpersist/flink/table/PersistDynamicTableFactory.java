package io.flinkpersist.flink.table;

import static io.flinkpersist.flink.table.PersistConnectorOptions.BLOB_URI;
import static io.flinkpersist.flink.table.PersistConnectorOptions.CONSENSUS_PASSWORD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.CONSENSUS_URI;
import static io.flinkpersist.flink.table.PersistConnectorOptions.FORMAT;
import static io.flinkpersist.flink.table.PersistConnectorOptions.HADOOP_PREFIX;
import static io.flinkpersist.flink.table.PersistConnectorOptions.KEY_FIELDS;
import static io.flinkpersist.flink.table.PersistConnectorOptions.KEY_FORMAT;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_AS_OF;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_KEY_RANGES;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_MODE;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_PARALLELISM;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SCAN_READER_LEASE;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SHARD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_ALLOW_NO_CHECKPOINTING;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_COMMIT_RETRIES;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_ID;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_MARKER_RETENTION;
import static io.flinkpersist.flink.table.PersistConnectorOptions.COMPACTION_ENABLED;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SINK_PAGE_CHECKSUMS;
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

import io.flinkpersist.flink.table.PersistConnectorOptions.ScanMode;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.format.Format;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.types.RowKind;

/**
 * {@code 'connector' = 'persist'}: a table sink into a persist shard and a table source reading it. Options:
 * {@link PersistConnectorOptions}.
 */
@Internal
public final class PersistDynamicTableFactory implements DynamicTableSinkFactory, DynamicTableSourceFactory {
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
                SINK_PAGE_CHECKSUMS, SINK_COMMIT_RETRIES, SINK_MARKER_RETENTION, SINK_ALLOW_NO_CHECKPOINTING, STATE_ROLLUP_THRESHOLD,
                COMPACTION_ENABLED, COMPACTION_HISTORY_RETENTION, COMPACTION_MEMORY_BOUND, COMPACTION_CONCURRENCY,
                COMPACTION_ORPHAN_GRACE, SCAN_MODE, SCAN_AS_OF, SCAN_READER_LEASE, SCAN_KEY_RANGES, SCAN_PARALLELISM);
    }

    /**
     * Options a restored compiled plan may change: they shape neither the topology nor where committables
     * point. The location, shard, layout and sink id are not among them: restored committables refer to parts
     * under the old blob URI and to the old shard and sink id; nor is what a scan reads: a restored source goes
     * on reading what it read.
     */
    @Override
    public Set<ConfigOption<?>> forwardOptions() {
        return Set.of(CONSENSUS_PASSWORD, SINK_PART_TARGET_SIZE, SINK_MAX_OUTSTANDING_PARTS, SINK_INLINE_THRESHOLD,
                SINK_PAGE_CHECKSUMS, SINK_COMMIT_RETRIES, SINK_MARKER_RETENTION, SINK_ALLOW_NO_CHECKPOINTING, STATE_ROLLUP_THRESHOLD,
                COMPACTION_ENABLED, COMPACTION_HISTORY_RETENTION, COMPACTION_MEMORY_BOUND, COMPACTION_CONCURRENCY,
                COMPACTION_ORPHAN_GRACE, SCAN_READER_LEASE);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        RowLayout<EncodingFormat<SerializationSchema<RowData>>> layout = layout(helper, context,
                option -> helper.discoverEncodingFormat(SerializationFormatFactory.class, option));
        checkNoPrimaryKey(context);
        return new PersistDynamicSink(context.getPhysicalRowDataType(), layout,
                SinkSettings.of(helper.getOptions(), context.getCatalogTable().getOptions()),
                helper.getOptions().getOptional(SINK_PARALLELISM).orElse(null));
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        RowLayout<DecodingFormat<DeserializationSchema<RowData>>> layout = layout(helper, context,
                option -> helper.discoverDecodingFormat(DeserializationFormatFactory.class, option));
        checkNoPrimaryKey(context);
        SourceSettings settings = SourceSettings.of(helper.getOptions(), context.getCatalogTable().getOptions());
        Integer parallelism = helper.getOptions().getOptional(SCAN_PARALLELISM).orElse(null);
        if (parallelism != null && settings.mode() != ScanMode.SNAPSHOT) {
            // The planner would spread the source's rows over the next operator's subtasks, where a row's -D
            // could overtake its +I; it asks for a primary key to avoid that, which these tables cannot have.
            throw new ValidationException("Option '" + SCAN_PARALLELISM.key() + "' applies to '" + SCAN_MODE.key()
                    + "' = '" + ScanMode.SNAPSHOT + "' only: a changelog scan runs at the query's parallelism "
                    + "('table.exec.resource.default-parallelism'), so that each row's removal stays behind its "
                    + "addition on the way through the query");
        }
        return new PersistDynamicSource(context.getPhysicalRowDataType(), layout, settings, parallelism);
    }

    /** The layout from 'format' or 'key.fields' and their formats; then every option left is checked. */
    private static <F extends Format> RowLayout<F> layout(FactoryUtil.TableFactoryHelper helper,
            Context context, Function<ConfigOption<String>, F> discover) {
        ReadableConfig options = helper.getOptions();
        Function<ConfigOption<String>, F> format = option -> format(helper, option, discover);
        RowLayout<F> layout = options.get(KEY_FIELDS).isEmpty() ? wholeRowKey(options, format)
                : keyAndValue(options, context, format);
        // Format options were consumed by the discovery above; the 'hadoop.' ones are Hadoop's to check.
        helper.validateExcept(HADOOP_PREFIX);
        return layout;
    }

    private static void checkNoPrimaryKey(Context context) {
        if (context.getCatalogTable().getResolvedSchema().getPrimaryKey().isPresent()) {
            throw new ValidationException("'persist' tables cannot declare a PRIMARY KEY: a shard is a collection "
                    + "of rows with multiplicities (each +I/+U adds a row, each -U/-D retracts one), not an upsert "
                    + "table, and with a primary key Flink may turn the changelog into upserts without the -U rows "
                    + "the shard needs. Drop the PRIMARY KEY clause; the shard's snapshot still equals the query's "
                    + "result.");
        }
    }

    private static <F> RowLayout<F> wholeRowKey(ReadableConfig options, Function<ConfigOption<String>, F> format) {
        for (ConfigOption<?> option : List.of(KEY_FORMAT, VALUE_FORMAT, VALUE_FIELDS_INCLUDE)) {
            if (options.getOptional(option).isPresent()) {
                throw new ValidationException("Option '" + option.key() + "' needs 'key.fields'; without "
                        + "'key.fields' the whole row is the key, encoded with 'format', and the value is empty");
            }
        }
        return RowLayout.wholeRowKey(format.apply(FORMAT), options.get(FORMAT));
    }

    private static <F> RowLayout<F> keyAndValue(ReadableConfig options, Context context,
            Function<ConfigOption<String>, F> format) {
        if (options.getOptional(FORMAT).isPresent()) {
            throw new ValidationException("Option 'format' is for tables without 'key.fields'; with 'key.fields' "
                    + "set 'key.format' and 'value.format'");
        }
        return RowLayout.keyAndValue(context.getPhysicalRowDataType(), options.get(KEY_FIELDS),
                options.get(VALUE_FIELDS_INCLUDE), format.apply(KEY_FORMAT), options.get(KEY_FORMAT),
                format.apply(VALUE_FORMAT), options.get(VALUE_FORMAT));
    }

    /** Row formats only: one that encodes changes itself (debezium-json …) would hide the diff's meaning. */
    private static <F extends Format> F format(FactoryUtil.TableFactoryHelper helper,
            ConfigOption<String> option, Function<ConfigOption<String>, F> discover) {
        F format;
        try {
            format = discover.apply(option);
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
