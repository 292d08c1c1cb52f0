package io.flinkpersist.flink.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.runtime.connector.source.ScanRuntimeProviderContext;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/** Decodes what a Flink format wrote back into rows, with that format's own DeserializationSchema. */
final class FormatDecoder {
    private final String format;
    private final DeserializationSchema<RowData> schema;
    private final DataStructureConverter<Object, Object> toRow;

    private FormatDecoder(String format, DeserializationSchema<RowData> schema,
            DataStructureConverter<Object, Object> toRow) {
        this.format = format;
        this.schema = schema;
        this.toRow = toRow;
    }

    /** {@code rowType} is a ROW of the columns the format encoded, in their order. */
    static FormatDecoder of(String format, DataType rowType) {
        return of(format, Map.of(), rowType);
    }

    /**
     * {@code formatOptions} without the format prefix, e.g. {@code null-literal} for {@code csv.null-literal}.
     * The sink encodes NOT NULL rows (a row's nullability changes the Avro schema), and so does this decoder.
     */
    static FormatDecoder of(String format, Map<String, String> formatOptions, DataType nullableRowType) {
        DataType rowType = nullableRowType.notNull();
        ClassLoader classLoader = FormatDecoder.class.getClassLoader();
        ResolvedSchema columns = ResolvedSchema.physical(DataType.getFieldNames(rowType),
                DataType.getFieldDataTypes(rowType));
        ResolvedCatalogTable table = new ResolvedCatalogTable(CatalogTable.newBuilder()
                .schema(Schema.newBuilder().fromResolvedSchema(columns).build())
                .options(Map.of())
                .build(), columns);
        FactoryUtil.DefaultDynamicTableContext context = new FactoryUtil.DefaultDynamicTableContext(
                ObjectIdentifier.of("decoder", "decoder", "decoder"), table, Map.of(), new Configuration(),
                classLoader, true);
        DeserializationSchema<RowData> schema = FactoryUtil
                .discoverFactory(classLoader, DeserializationFormatFactory.class, format)
                .createDecodingFormat(context, Configuration.fromMap(formatOptions))
                .createRuntimeDecoder(ScanRuntimeProviderContext.INSTANCE, rowType);
        try {
            schema.open(new DeserializationSchema.InitializationContext() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }

                @Override
                public UserCodeClassLoader getUserCodeClassLoader() {
                    return SimpleUserCodeClassLoader.create(classLoader);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("could not open the " + format + " decoder", e);
        }
        @SuppressWarnings("unchecked")
        DataStructureConverter<Object, Object> toRow =
                (DataStructureConverter<Object, Object>) DataStructureConverters.getConverter(rowType);
        toRow.open(classLoader);
        return new FormatDecoder(format, schema, toRow);
    }

    /** The codec name the sink records for this format. */
    String codec() {
        return format;
    }

    Row decode(byte[] bytes) {
        try {
            return (Row) toRow.toExternal(schema.deserialize(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("could not decode " + bytes.length + " bytes of " + format, e);
        }
    }
}
