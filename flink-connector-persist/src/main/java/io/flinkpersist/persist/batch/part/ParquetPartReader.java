package io.flinkpersist.persist.batch.part;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet part column by column straight into {@link ColumnarRecords}, without row objects: parts in the
 * plain layout this connector writes through {@link PlainPartReader}, any other through parquet-java, which accepts
 * every encoding, codec and page version, so parts from other persist writers (which may use dictionary encoding or
 * compression) decode too. Both verify page checksums where a writer added them.
 */
final class ParquetPartReader {
    private static final PrimitiveConverter IGNORED_VALUES = new PrimitiveConverter() {};

    /** Column readers need a converter per column, though values are taken from the readers directly. */
    private static final GroupConverter IGNORED_ROWS = new GroupConverter() {
        @Override
        public Converter getConverter(int fieldIndex) {
            return IGNORED_VALUES;
        }

        @Override
        public void start() {}

        @Override
        public void end() {}
    };

    private ParquetPartReader() {}

    /** The part as stored, not yet validated; layout problems are {@link PartDecodeException}s. */
    static BlobTraceBatchPart read(String blobKey, byte[] bytes) throws IOException {
        BlobTraceBatchPart plain = PlainPartReader.read(blobKey, bytes);
        return plain != null ? plain : readWithParquetJava(blobKey, bytes);
    }

    /** Any layout parquet-java reads. */
    static BlobTraceBatchPart readWithParquetJava(String blobKey, byte[] bytes) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(bytes), readOptions())) {
            FileMetaData file = reader.getFooter().getFileMetaData();
            PartHeader header = PartHeader.parse(blobKey, file.getKeyValueMetaData().get(ParquetPartCodec.HEADER_KEY));
            Columns columns = Columns.find(blobKey, file.getSchema());
            ColumnarRecords updates = readUpdates(blobKey, reader, columns, file, bytes.length);
            return new BlobTraceBatchPart(header.desc(), header.index(), updates);
        }
    }

    /** A fresh codec factory per file: parquet-java's decompressors are stateful and released on close. */
    private static ParquetReadOptions readOptions() {
        return ParquetReadOptions.builder(new PlainParquetConfiguration())
                .usePageChecksumVerification(true)
                .build();
    }

    private static ColumnarRecords readUpdates(String blobKey, ParquetFileReader reader, Columns columns,
            FileMetaData file, long fileLength) throws IOException {
        List<BlockMetaData> rowGroups = reader.getRowGroups();
        if (rowGroups.isEmpty()) {
            // How persist (and our writer) stores a part without updates.
            return ColumnarRecords.EMPTY;
        }
        if (rowGroups.size() > 1) {
            throw new PartDecodeException(blobKey, "expected one row group, found " + rowGroups.size());
        }
        PageReadStore rowGroup = reader.readNextRowGroup();
        if (rowGroup == null) {
            throw new PartDecodeException(blobKey, "the footer lists a row group that cannot be read");
        }
        long rowCount = rowGroup.getRowCount();
        if (rowCount < 0 || rowCount >= BinaryColumnBuilder.MAX_ARRAY_LENGTH) {
            throw new PartDecodeException(blobKey, "row group claims " + rowCount + " rows");
        }
        int rows = (int) rowCount;
        if (rows == 0) {
            return ColumnarRecords.EMPTY;
        }
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup, IGNORED_ROWS, file.getSchema(),
                file.getCreatedBy());
        long keyHint = dataHint(rowGroups.get(0), columns.k(), rows, fileLength);
        long valueHint = dataHint(rowGroups.get(0), columns.v(), rows, fileLength);
        BinaryColumnBuilder keys = readBinary(blobKey, store, columns.k(), rows, keyHint);
        BinaryColumnBuilder values = readBinary(blobKey, store, columns.v(), rows, valueHint);
        long[] times = readLongs(blobKey, store, columns.t(), rows);
        long[] diffs = readLongs(blobKey, store, columns.d(), rows);
        return new ColumnarRecords(rows, keys.data(), keys.offsets(), values.data(), values.offsets(), times, diffs);
    }

    /**
     * How many data bytes a binary column will likely decode to: exact up to page headers for PLAIN (minus its
     * 4-byte lengths), a starting point for other encodings. Capped so a corrupt footer cannot demand a huge buffer.
     */
    private static long dataHint(BlockMetaData rowGroup, ColumnDescriptor column, int rows, long fileLength) {
        for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
            if (chunk.getPath().equals(ColumnPath.get(column.getPath()))) {
                long plainData = chunk.getTotalUncompressedSize() - (long) Integer.BYTES * rows;
                return Math.max(0, Math.min(plainData, 4 * fileLength));
            }
        }
        return 0;
    }

    private static BinaryColumnBuilder readBinary(String blobKey, ColumnReadStoreImpl store, ColumnDescriptor column,
            int rows, long dataHint) throws IOException {
        ColumnReader reader = columnReader(blobKey, store, column, rows);
        BinaryColumnBuilder out = new BinaryColumnBuilder(rows, dataHint);
        ColumnSink sink = new ColumnSink(out);
        for (int i = 0; i < rows; i++) {
            Binary value = reader.getBinary();
            if (!out.fits(value.length())) {
                throw new PartDecodeException(blobKey, "column " + column.getPath()[0] + " holds more than "
                        + ColumnarRecords.KEY_VAL_DATA_MAX_LEN + " bytes with its offsets");
            }
            // Copies straight from the page buffer into the column, without an intermediate array.
            value.writeTo(sink);
            out.endValue();
            reader.consume();
        }
        return out;
    }

    private static long[] readLongs(String blobKey, ColumnReadStoreImpl store, ColumnDescriptor column, int rows) {
        ColumnReader reader = columnReader(blobKey, store, column, rows);
        long[] out = new long[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = reader.getLong();
            reader.consume();
        }
        return out;
    }

    private static ColumnReader columnReader(String blobKey, ColumnReadStoreImpl store, ColumnDescriptor column,
            int rows) {
        ColumnReader reader = store.getColumnReader(column);
        if (reader.getTotalValueCount() != rows) {
            throw new PartDecodeException(blobKey, "column " + column.getPath()[0] + " has "
                    + reader.getTotalValueCount() + " values in a row group of " + rows + " rows");
        }
        return reader;
    }

    /** Appends what a {@link Binary} writes to the value under construction in a column. */
    private static final class ColumnSink extends OutputStream {
        private final BinaryColumnBuilder column;

        ColumnSink(BinaryColumnBuilder column) {
            this.column = column;
        }

        @Override
        public void write(int b) {
            column.appendBytes(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] src, int offset, int length) {
            column.appendBytes(src, offset, length);
        }
    }

    /** The four columns of a file, checked against persist's layout; found by name, so their order is free. */
    private record Columns(ColumnDescriptor k, ColumnDescriptor v, ColumnDescriptor t, ColumnDescriptor d) {
        static Columns find(String blobKey, MessageType schema) {
            if (schema.getFieldCount() != 4) {
                throw layoutError(blobKey, schema, "has " + schema.getFieldCount() + " columns");
            }
            return new Columns(
                    column(blobKey, schema, "k", PrimitiveTypeName.BINARY),
                    column(blobKey, schema, "v", PrimitiveTypeName.BINARY),
                    column(blobKey, schema, "t", PrimitiveTypeName.INT64),
                    column(blobKey, schema, "d", PrimitiveTypeName.INT64));
        }

        private static ColumnDescriptor column(String blobKey, MessageType schema, String name,
                PrimitiveTypeName expected) {
            if (!schema.containsField(name)) {
                throw layoutError(blobKey, schema, "has no column " + name);
            }
            Type field = schema.getType(name);
            if (!field.isPrimitive() || field.asPrimitiveType().getPrimitiveTypeName() != expected
                    || field.getRepetition() != Type.Repetition.REQUIRED) {
                throw layoutError(blobKey, schema, "column " + name + " is not required " + expected);
            }
            return schema.getColumnDescription(new String[] {name});
        }

        private static PartDecodeException layoutError(String blobKey, MessageType schema, String problem) {
            return new PartDecodeException(blobKey, "schema " + problem + "; persist's ParquetKvtd layout is required"
                    + " binary k, required binary v, required int64 t, required int64 d. Found: "
                    + schema.toString().replace('\n', ' ').trim());
        }
    }
}
