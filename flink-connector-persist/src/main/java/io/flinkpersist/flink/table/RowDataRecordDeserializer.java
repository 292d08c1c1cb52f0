package io.flinkpersist.flink.table;

import io.flinkpersist.flink.source.PersistRecordDeserializer;
import java.io.IOException;
import java.io.Serializable;
import java.util.HexFormat;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

/**
 * Turns an update read from a shard into table rows: the key and value decoded by their formats and their selected
 * columns put in the produced row's order, once per unit of the diff, as {@code +I} for a positive diff and {@code -D} for a
 * negative one. The inverse of {@link RowDataRecordSerializer}: a shard written from a query reads back as that
 * query's rows, and its changes as the query's changelog consolidated per commit.
 */
@Internal
final class RowDataRecordDeserializer implements PersistRecordDeserializer<RowData> {
    private static final long serialVersionUID = 1L;
    private static final int KEY_BYTES_SHOWN = 64;

    /** Null when no selected column comes from the key (or the value holds the whole row). */
    private final Side keySide;
    /** Null when no selected column comes from the value (or the value is empty). */
    private final Side valueSide;
    private final int arity;
    /** False for a snapshot, which the planner takes as rows only: a negative count there fails the read. */
    private final boolean deletes;
    private final TypeInformation<RowData> producedType;

    /**
     * One side of an update (key or value) and where its decoded fields go in the produced row.
     *
     * @param getters read the decoded row's fields, one per target
     * @param targets the produced row's positions the fields go to
     */
    record Side(DeserializationSchema<RowData> schema, RowData.FieldGetter[] getters, int[] targets)
            implements Serializable {}

    RowDataRecordDeserializer(Side key, Side value, int arity, boolean deletes,
            TypeInformation<RowData> producedType) {
        this.keySide = key;
        this.valueSide = value;
        this.arity = arity;
        this.deletes = deletes;
        this.producedType = producedType;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        if (keySide != null) {
            keySide.schema().open(context);
        }
        if (valueSide != null) {
            valueSide.schema().open(context);
        }
    }

    @Override
    public void deserialize(byte[] key, byte[] value, long time, long diff, Collector<RowData> out)
            throws IOException {
        if (diff < 0 && !deletes) {
            throw new IOException("The snapshot as of " + time + " holds the row of key " + shown(key) + " "
                    + diff + " times: more of it was retracted than was ever added. A snapshot scan can emit rows "
                    + "only; read the shard with 'scan.mode' = 'changelog' to see its retractions.");
        }
        GenericRowData row = new GenericRowData(diff > 0 ? RowKind.INSERT : RowKind.DELETE, arity);
        if (keySide != null) {
            place(decode("key", keySide.schema(), key, key, time), keySide, row);
        }
        if (valueSide != null) {
            place(decode("value", valueSide.schema(), value, key, time), valueSide, row);
        }
        for (long i = Math.abs(diff); i > 0; i--) {
            out.collect(row);
        }
    }

    /**
     * Nothing is skipped: a format that decodes bytes as null (the raw format's NULL, a JSON format told to
     * ignore parse errors) would drop the row without a trace.
     */
    private static RowData decode(String part, DeserializationSchema<RowData> schema, byte[] bytes, byte[] key,
            long time) throws IOException {
        RowData decoded = schema.deserialize(bytes);
        if (decoded == null) {
            throw new IOException("The " + part + " format decoded the " + part + " of the update of key "
                    + shown(key) + " at time " + time + " as no row, which would drop it; persist never skips "
                    + "an update: fix the format's options (e.g. do not ignore parse errors)");
        }
        return decoded;
    }

    private static void place(RowData decoded, Side side, GenericRowData row) {
        for (int i = 0; i < side.getters().length; i++) {
            row.setField(side.targets()[i], side.getters()[i].getFieldOrNull(decoded));
        }
    }

    private static String shown(byte[] key) {
        String hex = HexFormat.of().formatHex(key, 0, Math.min(key.length, KEY_BYTES_SHOWN));
        return "0x" + hex + (key.length > KEY_BYTES_SHOWN ? "… (" + key.length + " bytes)" : "");
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
