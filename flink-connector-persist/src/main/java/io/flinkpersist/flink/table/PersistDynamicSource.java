package io.flinkpersist.flink.table;

import io.flinkpersist.flink.source.PersistSource;
import io.flinkpersist.flink.table.PersistConnectorOptions.ScanMode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.ProjectableDecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.RowKind;

/**
 * A table source that reads through {@link PersistSource}: a snapshot scan emits the shard's rows as of a time (a
 * row the shard holds n times, n times), a changelog scan then every later change, a row added as {@code +I} and a
 * row removed as {@code -D}, so that a query over it sees the collection the shard holds at every commit. Only the
 * columns a query reads are decoded.
 */
@Internal
final class PersistDynamicSource implements ScanTableSource, SupportsProjectionPushDown {
    private static final ChangelogMode INSERTS_AND_DELETES =
            ChangelogMode.newBuilder().addContainedKind(RowKind.INSERT).addContainedKind(RowKind.DELETE).build();

    private final DataType physicalRow;
    private final RowLayout<DecodingFormat<DeserializationSchema<RowData>>> layout;
    private final SourceSettings settings;
    /** Null: the planner's default. */
    private final Integer parallelism;
    /** The physical columns the query reads, in the produced row's order; null: all of them. */
    private int[] projection;

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
     * The runtime decoders come from the formats only now: they need the planner's context. A side (key or value)
     * holding no selected column is not decoded at all; a projectable format decodes only the selected columns of
     * its side, another decodes the side and the selected columns are picked from it. A value that holds the whole
     * row ('value.fields-include' = 'ALL') is the row: its key is not decoded.
     */
    private RowDataRecordDeserializer deserializer(ScanContext context) {
        int[] selected = projection != null ? projection : IntStream.range(0, DataType.getFieldCount(physicalRow))
                .toArray();
        boolean valueIsTheRow = layout.valueFormat() != null && layout.valueColumns() == null;
        DataType produced = RowLayout.project(physicalRow, projection);
        return new RowDataRecordDeserializer(
                valueIsTheRow ? null : side(context, layout.keyFormat(), layout.keyColumns(), selected),
                layout.valueFormat() == null ? null
                        : side(context, layout.valueFormat(), layout.valueColumns(), selected),
                selected.length,
                settings.mode() != ScanMode.SNAPSHOT,
                context.createTypeInformation(produced));
    }

    /**
     * How one side's bytes become the selected columns it holds: null when it holds none of them.
     *
     * @param sideColumns the physical columns the side encodes, in its order (null: all of them)
     * @param selected the physical columns of the produced row, in its order
     */
    private RowDataRecordDeserializer.Side side(ScanContext context,
            DecodingFormat<DeserializationSchema<RowData>> format, int[] sideColumns, int[] selected) {
        DataType sideRow = RowLayout.project(physicalRow, sideColumns);
        List<Integer> fields = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (int target = 0; target < selected.length; target++) {
            int field = sideColumns == null ? selected[target] : indexOf(sideColumns, selected[target]);
            if (field >= 0) {
                fields.add(field);
                targets.add(target);
            }
        }
        if (fields.isEmpty()) {
            return null;
        }
        int[] sideFields = fields.stream().mapToInt(Integer::intValue).toArray();
        int[] positions = targets.stream().mapToInt(Integer::intValue).toArray();
        if (format instanceof ProjectableDecodingFormat<DeserializationSchema<RowData>> projectable) {
            int[][] paths = IntStream.of(sideFields).mapToObj(f -> new int[] {f}).toArray(int[][]::new);
            DataType decoded = RowLayout.project(sideRow, sideFields);
            return new RowDataRecordDeserializer.Side(projectable.createRuntimeDecoder(context, sideRow, paths),
                    RowLayout.getters(decoded), positions);
        }
        return new RowDataRecordDeserializer.Side(format.createRuntimeDecoder(context, sideRow),
                RowLayout.getters(sideRow, sideFields), positions);
    }

    private static int indexOf(int[] columns, int column) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i] == column) {
                return i;
            }
        }
        return -1;
    }

    /** Top-level columns only: the formats' nested projection is not used. */
    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
        this.projection = Stream.of(projectedFields).mapToInt(path -> path[0]).toArray();
    }

    @Override
    public DynamicTableSource copy() {
        PersistDynamicSource copy = new PersistDynamicSource(physicalRow, layout, settings, parallelism);
        copy.projection = projection;
        return copy;
    }

    /** Shown in plans and planner messages: nothing of the options, which may hold credentials. */
    @Override
    public String asSummaryString() {
        return "Persist";
    }
}
