package io.flinkpersist.flink.table;

import io.flinkpersist.flink.source.PersistSource;
import io.flinkpersist.flink.table.PersistConnectorOptions.ScanMode;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.RowKind;

/**
 * A table source that reads through {@link PersistSource}: a snapshot scan emits the shard's rows as of a time (a
 * row the shard holds n times, n times), a changelog scan then every later change, a row added as {@code +I} and a
 * row removed as {@code -D}, so that a query over it sees the collection the shard holds at every commit.
 */
@Internal
final class PersistDynamicSource implements ScanTableSource {
    private static final ChangelogMode INSERTS_AND_DELETES =
            ChangelogMode.newBuilder().addContainedKind(RowKind.INSERT).addContainedKind(RowKind.DELETE).build();

    private final DataType physicalRow;
    private final RowLayout<DecodingFormat<DeserializationSchema<RowData>>> layout;
    private final SourceSettings settings;
    /** Null: the planner's default. */
    private final Integer parallelism;

    PersistDynamicSource(DataType physicalRow, RowLayout<DecodingFormat<DeserializationSchema<RowData>>> layout,
            SourceSettings settings, Integer parallelism) {
        this.physicalRow = physicalRow;
        this.layout = layout;
        this.settings = settings;
        this.parallelism = parallelism;
    }

    /**
     * Deletes without their updates' before-images: a change of a row is its removal and the new row's addition,
     * each in its own right, as the shard holds them. Without a primary key the planner treats every -D as the
     * retraction of one equal row.
     */
    @Override
    public ChangelogMode getChangelogMode() {
        return settings.mode() == ScanMode.SNAPSHOT ? ChangelogMode.insertOnly() : INSERTS_AND_DELETES;
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        PersistSource<RowData> source = settings.build(layout.keyCodec(), layout.valueCodec(), deserializer(context));
        return parallelism == null ? SourceProvider.of(source) : SourceProvider.of(source, parallelism);
    }

    /**
     * The runtime decoders come from the formats only now: they need the planner's context. A value that holds the
     * whole row ('value.fields-include' = 'ALL') is the row: its key is not decoded.
     */
    private RowDataRecordDeserializer deserializer(ScanContext context) {
        DecodingFormat<DeserializationSchema<RowData>> keyFormat = layout.keyFormat();
        DecodingFormat<DeserializationSchema<RowData>> valueFormat = layout.valueFormat();
        boolean valueIsTheRow = valueFormat != null && layout.valueColumns() == null;
        DataType keyRow = RowLayout.project(physicalRow, layout.keyColumns());
        DataType valueRow = valueFormat == null ? null : RowLayout.project(physicalRow, layout.valueColumns());
        return new RowDataRecordDeserializer(
                valueIsTheRow ? null : keyFormat.createRuntimeDecoder(context, keyRow),
                layout.keyColumns(),
                valueIsTheRow ? null : RowLayout.getters(keyRow),
                valueRow == null ? null : valueFormat.createRuntimeDecoder(context, valueRow),
                layout.valueColumns(),
                valueRow == null ? null : RowLayout.getters(valueRow),
                DataType.getFieldCount(physicalRow),
                settings.mode() != ScanMode.SNAPSHOT,
                context.createTypeInformation(physicalRow));
    }

    @Override
    public DynamicTableSource copy() {
        // Everything it holds is immutable.
        return new PersistDynamicSource(physicalRow, layout, settings, parallelism);
    }

    /** Shown in plans and planner messages: nothing of the options, which may hold credentials. */
    @Override
    public String asSummaryString() {
        return "Persist";
    }
}
