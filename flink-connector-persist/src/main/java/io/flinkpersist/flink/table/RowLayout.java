package io.flinkpersist.flink.table;

import io.flinkpersist.flink.table.PersistConnectorOptions.ValueFieldsStrategy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.Projection;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/**
 * Which columns of a row form the persist key and which the value, and the formats that encode them. By
 * default the whole row is the key and the value is empty, as in persist's own tables; with 'key.fields' the
 * named columns are the key.
 *
 * <p>The shard records the format identifiers as its key and value codec names, so a table whose formats do
 * not match a shard's is refused when the job opens the shard, instead of mixing encodings in it.
 *
 * @param <F> the formats: encoding ones for a sink, decoding ones for a source
 */
@Internal
final class RowLayout<F> {
    /** The codec name of an empty value: persist's name for its unit codec. */
    static final String EMPTY_VALUE_CODEC = "()";

    private final F keyFormat;
    private final String keyCodec;
    /** Null when the key is the whole row. */
    private final int[] keyColumns;
    /** Null when the value is empty. */
    private final F valueFormat;
    private final String valueCodec;
    /** Null when the value is the whole row. */
    private final int[] valueColumns;

    private RowLayout(F keyFormat, String keyCodec, int[] keyColumns,
            F valueFormat, String valueCodec, int[] valueColumns) {
        this.keyFormat = keyFormat;
        this.keyCodec = keyCodec;
        this.keyColumns = keyColumns;
        this.valueFormat = valueFormat;
        this.valueCodec = valueCodec;
        this.valueColumns = valueColumns;
    }

    static <F> RowLayout<F> wholeRowKey(F format, String formatIdentifier) {
        return new RowLayout<>(format, formatIdentifier, null, null, EMPTY_VALUE_CODEC, null);
    }

    static <F> RowLayout<F> keyAndValue(DataType physicalRow, List<String> keyFields, ValueFieldsStrategy valueFields,
            F keyFormat, String keyFormatIdentifier,
            F valueFormat, String valueFormatIdentifier) {
        List<String> columns = DataType.getFieldNames(physicalRow);
        int[] key = new int[keyFields.size()];
        for (int i = 0; i < key.length; i++) {
            key[i] = columns.indexOf(keyFields.get(i));
            if (key[i] < 0) {
                throw new ValidationException("Invalid value for option 'key.fields': column '" + keyFields.get(i)
                        + "' is not a physical column of the table; the columns are " + columns);
            }
        }
        if (new HashSet<>(keyFields).size() != keyFields.size()) {
            throw new ValidationException("Invalid value for option 'key.fields': " + keyFields
                    + " names a column twice");
        }
        if (valueFields == ValueFieldsStrategy.ALL) {
            return new RowLayout<>(keyFormat, keyFormatIdentifier, key, valueFormat, valueFormatIdentifier, null);
        }
        List<Integer> rest = new ArrayList<>();
        IntStream.range(0, columns.size()).filter(c -> IntStream.of(key).noneMatch(k -> k == c)).forEach(rest::add);
        if (rest.isEmpty()) {
            throw new ValidationException("Invalid value for option 'key.fields': it names every column, which "
                    + "leaves an empty value; leave 'key.fields' out to make the whole row the key");
        }
        return new RowLayout<>(keyFormat, keyFormatIdentifier, key, valueFormat, valueFormatIdentifier,
                rest.stream().mapToInt(Integer::intValue).toArray());
    }

    String keyCodec() {
        return keyCodec;
    }

    String valueCodec() {
        return valueCodec;
    }

    F keyFormat() {
        return keyFormat;
    }

    /** Null when the value is empty. */
    F valueFormat() {
        return valueFormat;
    }

    /** The key's columns of the physical row, in the key's order; null when the key is the whole row. */
    int[] keyColumns() {
        return keyColumns;
    }

    /** The value's columns of the physical row; null when the value is the whole row (or empty). */
    int[] valueColumns() {
        return valueColumns;
    }

    /** The row type {@code columns} (null: all) select from the physical row. */
    static DataType project(DataType physicalRow, int[] columns) {
        return columns == null ? physicalRow : Projection.of(columns).project(physicalRow);
    }

    /** Getters of every field of {@code row}, by position. */
    static RowData.FieldGetter[] getters(DataType row) {
        return getters(row, IntStream.range(0, DataType.getFieldCount(row)).toArray());
    }

    /** Getters of {@code columns} of {@code row}; null when {@code columns} is null (the whole row). */
    static RowData.FieldGetter[] getters(DataType row, int[] columns) {
        if (columns == null) {
            return null;
        }
        List<LogicalType> types = LogicalTypeChecks.getFieldTypes(row.getLogicalType());
        return IntStream.of(columns).mapToObj(c -> RowData.createFieldGetter(types.get(c), c))
                .toArray(RowData.FieldGetter[]::new);
    }
}
