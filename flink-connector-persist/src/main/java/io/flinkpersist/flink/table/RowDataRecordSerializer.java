package io.flinkpersist.flink.table;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistRecordSerializer;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

/**
 * Turns a changelog row into a persist update: the key and value columns encoded by their formats, and the
 * row kind as the diff (+I/+U add the row, -U/-D retract it). Retractions are not matched to earlier rows
 * here: the shard consolidates diffs, so a -U cancels the +I or +U it undoes when the shard is read.
 */
@Internal
final class RowDataRecordSerializer implements PersistRecordSerializer<RowData> {
    private static final long serialVersionUID = 1L;
    private static final byte[] EMPTY = new byte[0];

    private final SerializationSchema<RowData> keySchema;
    /** The key columns, or null when the key is the whole row. */
    private final RowData.FieldGetter[] keyColumns;
    /** Null when the value is empty. */
    private final SerializationSchema<RowData> valueSchema;
    /** The value columns, or null when the value is the whole row. */
    private final RowData.FieldGetter[] valueColumns;

    RowDataRecordSerializer(SerializationSchema<RowData> keySchema, RowData.FieldGetter[] keyColumns,
            SerializationSchema<RowData> valueSchema, RowData.FieldGetter[] valueColumns) {
        this.keySchema = keySchema;
        this.keyColumns = keyColumns;
        this.valueSchema = valueSchema;
        this.valueColumns = valueColumns;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context) throws Exception {
        keySchema.open(context);
        if (valueSchema != null) {
            valueSchema.open(context);
        }
    }

    @Override
    public PersistRecord serialize(RowData row) {
        byte[] key = encode("key", keySchema, keyColumns, row);
        byte[] value = valueSchema == null ? EMPTY : encode("value", valueSchema, valueColumns, row);
        return new PersistRecord(key, value, diff(row.getRowKind()));
    }

    static long diff(RowKind kind) {
        return switch (kind) {
            case INSERT, UPDATE_AFTER -> 1;
            case UPDATE_BEFORE, DELETE -> -1;
        };
    }

    private static byte[] encode(String part, SerializationSchema<RowData> schema, RowData.FieldGetter[] columns,
            RowData row) {
        byte[] bytes = schema.serialize(columns == null ? row : project(row, columns));
        if (bytes == null) {
            // The raw format encodes a NULL column as null; persist keys and values are byte strings.
            throw new IllegalArgumentException("the " + part + " format encoded a row as null (the raw format "
                    + "does so for a NULL column), but a persist " + part + " cannot be null: filter out the "
                    + "NULLs or map them to a value");
        }
        return bytes;
    }

    private static RowData project(RowData row, RowData.FieldGetter[] columns) {
        GenericRowData projected = new GenericRowData(columns.length);
        for (int i = 0; i < columns.length; i++) {
            projected.setField(i, columns[i].getFieldOrNull(row));
        }
        return projected;
    }
}
