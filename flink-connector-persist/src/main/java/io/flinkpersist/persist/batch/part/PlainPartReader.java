package io.flinkpersist.persist.batch.part;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;

/**
 * Reads a part in the layout {@link ParquetPartWriter} writes (and parquet-java wrote before it): the four required
 * columns in order, uncompressed PLAIN data pages v2. Their values are copied straight from the file into
 * {@link ColumnarRecords}, each page's checksum verified where it has one. A file in any other layout (dictionary,
 * compression, pages v1, other column order, as other persist writers may produce) is left to parquet-java: this
 * returns null for it before reading any values.
 */
final class PlainPartReader {
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final String[] NAMES = {"k", "v", "t", "d"};
    private static final Type[] TYPES = {Type.BYTE_ARRAY, Type.BYTE_ARRAY, Type.INT64, Type.INT64};
    private static final int FOOTER_TAIL = Integer.BYTES + 4;

    private PlainPartReader() {}

    /** The part, or null when the file is not in the plain layout; damage is a {@link PartDecodeException}. */
    static BlobTraceBatchPart read(String blobKey, byte[] file) throws IOException {
        int footerLength = (int) LE_INT.get(file, file.length - FOOTER_TAIL);
        int footerStart = file.length - FOOTER_TAIL - footerLength;
        if (footerLength <= 0 || footerStart < 4) {
            throw new PartDecodeException(blobKey, "footer length " + footerLength + " does not fit a file of "
                    + file.length + " bytes");
        }
        FileMetaData footer = Util.readFileMetaData(new ByteArrayInputStream(file, footerStart, footerLength));
        String header = header(footer);
        if (header == null || !plainSchema(footer.getSchema()) || footer.getRow_groupsSize() > 1) {
            return null;
        }
        PartHeader parsed = PartHeader.parse(blobKey, header);
        if (footer.getRow_groupsSize() == 0) {
            return new BlobTraceBatchPart(parsed.desc(), parsed.index(), ColumnarRecords.EMPTY);
        }
        RowGroup rowGroup = footer.getRow_groups().get(0);
        if (rowGroup.getNum_rows() < 0 || rowGroup.getNum_rows() >= BinaryColumnBuilder.MAX_ARRAY_LENGTH) {
            throw new PartDecodeException(blobKey, "row group claims " + rowGroup.getNum_rows() + " rows");
        }
        int rows = (int) rowGroup.getNum_rows();
        List<ColumnChunk> chunks = rowGroup.getColumns();
        if (chunks.size() != NAMES.length) {
            return null;
        }
        for (int c = 0; c < NAMES.length; c++) {
            if (!plainChunk(chunks.get(c).getMeta_data(), c)) {
                return null;
            }
        }
        Chunk keys = new Chunk(blobKey, file, chunks.get(0).getMeta_data(), footerStart, rows);
        Chunk values = new Chunk(blobKey, file, chunks.get(1).getMeta_data(), footerStart, rows);
        Chunk times = new Chunk(blobKey, file, chunks.get(2).getMeta_data(), footerStart, rows);
        Chunk diffs = new Chunk(blobKey, file, chunks.get(3).getMeta_data(), footerStart, rows);
        if (!keys.plain() || !values.plain() || !times.plain() || !diffs.plain()) {
            return null;
        }
        BinaryColumnBuilder k = keys.readBinary();
        BinaryColumnBuilder v = values.readBinary();
        ColumnarRecords updates = new ColumnarRecords(rows, k.data(), k.offsets(), v.data(), v.offsets(),
                times.readLongs(), diffs.readLongs());
        return new BlobTraceBatchPart(parsed.desc(), parsed.index(), updates);
    }

    private static String header(FileMetaData footer) {
        if (footer.getKey_value_metadata() == null) {
            return null;
        }
        for (KeyValue entry : footer.getKey_value_metadata()) {
            if (ParquetPartCodec.HEADER_KEY.equals(entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static boolean plainSchema(List<SchemaElement> schema) {
        if (schema.size() != NAMES.length + 1 || schema.get(0).getNum_children() != NAMES.length) {
            return false;
        }
        for (int c = 0; c < NAMES.length; c++) {
            SchemaElement column = schema.get(c + 1);
            if (!NAMES[c].equals(column.getName()) || column.getType() != TYPES[c]
                    || column.getRepetition_type() != FieldRepetitionType.REQUIRED || column.isSetNum_children()) {
                return false;
            }
        }
        return true;
    }

    private static boolean plainChunk(ColumnMetaData meta, int column) {
        return meta != null && meta.getType() == TYPES[column] && meta.getCodec() == CompressionCodec.UNCOMPRESSED
                && List.of(NAMES[column]).equals(meta.getPath_in_schema()) && !meta.isSetDictionary_page_offset()
                && meta.getTotal_compressed_size() == meta.getTotal_uncompressed_size();
    }

    /** The pages of one column chunk, found from its metadata and checked before any value is read. */
    private static final class Chunk {
        private final String blobKey;
        private final byte[] file;
        private final String column;
        private final int rows;
        private final int[] pageStarts;
        private final PageHeader[] headers;
        private final boolean plain;

        Chunk(String blobKey, byte[] file, ColumnMetaData meta, int footerStart, int rows) throws IOException {
            this.blobKey = blobKey;
            this.file = file;
            this.column = meta.getPath_in_schema().get(0);
            this.rows = rows;
            long start = meta.getData_page_offset();
            long end = start + meta.getTotal_compressed_size();
            if (start < 4 || end > footerStart || meta.getNum_values() != rows) {
                throw new PartDecodeException(blobKey, "column " + column + " claims bytes [" + start + ", " + end
                        + ") and " + meta.getNum_values() + " values; the pages end at " + footerStart + " and there "
                        + "are " + rows + " rows");
            }
            List<Integer> starts = new ArrayList<>();
            List<PageHeader> found = new ArrayList<>();
            boolean allPlain = true;
            long at = start;
            long values = 0;
            while (at < end) {
                ByteArrayInputStream in = new ByteArrayInputStream(file, (int) at, (int) (end - at));
                int before = in.available();
                PageHeader header = Util.readPageHeader(in);
                int dataStart = (int) (at + before - in.available());
                DataPageHeaderV2 v2 = header.getData_page_header_v2();
                if (header.getType() != PageType.DATA_PAGE_V2 || v2 == null || v2.getEncoding() != Encoding.PLAIN
                        || v2.getDefinition_levels_byte_length() != 0 || v2.getRepetition_levels_byte_length() != 0
                        || header.getCompressed_page_size() != header.getUncompressed_page_size()) {
                    allPlain = false;
                    break;
                }
                long dataEnd = (long) dataStart + header.getCompressed_page_size();
                if (header.getCompressed_page_size() < 0 || dataEnd > end || v2.getNum_values() < 0) {
                    throw new PartDecodeException(blobKey, "page at byte " + at + " of column " + column
                            + " claims " + header.getCompressed_page_size() + " bytes, past its column's end " + end);
                }
                starts.add(dataStart);
                found.add(header);
                values += v2.getNum_values();
                at = dataEnd;
            }
            this.plain = allPlain;
            if (allPlain && values != rows) {
                throw new PartDecodeException(blobKey, "column " + column + " has " + values + " values in a row "
                        + "group of " + rows + " rows");
            }
            this.pageStarts = starts.stream().mapToInt(Integer::intValue).toArray();
            this.headers = found.toArray(PageHeader[]::new);
        }

        boolean plain() {
            return plain;
        }

        BinaryColumnBuilder readBinary() {
            long dataBytes = 0;
            for (PageHeader header : headers) {
                dataBytes += header.getCompressed_page_size()
                        - (long) Integer.BYTES * header.getData_page_header_v2().getNum_values();
            }
            BinaryColumnBuilder out = new BinaryColumnBuilder(rows, Math.max(0, dataBytes));
            for (int p = 0; p < headers.length; p++) {
                int at = verified(p);
                int end = at + headers[p].getCompressed_page_size();
                for (int i = headers[p].getData_page_header_v2().getNum_values(); i > 0; i--) {
                    int length = at + Integer.BYTES <= end ? (int) LE_INT.get(file, at) : -1;
                    if (length < 0 || length > end - at - Integer.BYTES) {
                        throw new PartDecodeException(blobKey, "a value of column " + column + " at byte " + at
                                + " runs past its page's end " + end);
                    }
                    if (!out.fits(length)) {
                        throw new PartDecodeException(blobKey, "column " + column + " holds more than "
                                + ColumnarRecords.KEY_VAL_DATA_MAX_LEN + " bytes with its offsets");
                    }
                    out.append(file, at + Integer.BYTES, length);
                    at += Integer.BYTES + length;
                }
                if (at != end) {
                    throw new PartDecodeException(blobKey, "page of column " + column + " ends at byte " + end
                            + " but its values end at " + at);
                }
            }
            return out;
        }

        long[] readLongs() {
            long[] out = new long[rows];
            int next = 0;
            for (int p = 0; p < headers.length; p++) {
                int at = verified(p);
                int count = headers[p].getData_page_header_v2().getNum_values();
                if ((long) count * Long.BYTES != headers[p].getCompressed_page_size()) {
                    throw new PartDecodeException(blobKey, "page of column " + column + " at byte " + at + " holds "
                            + headers[p].getCompressed_page_size() + " bytes for " + count + " int64 values");
                }
                for (int i = 0; i < count; i++) {
                    out[next++] = (long) LE_LONG.get(file, at + i * Long.BYTES);
                }
            }
            return out;
        }

        /** The start of page {@code p}'s values, once its checksum, if it has one, matched. */
        private int verified(int p) {
            int at = pageStarts[p];
            PageHeader header = headers[p];
            if (header.isSetCrc()) {
                CRC32 crc = new CRC32();
                crc.update(file, at, header.getCompressed_page_size());
                if ((int) crc.getValue() != header.getCrc()) {
                    throw new PartDecodeException(blobKey, "page " + p + " of column " + column + " at byte " + at
                            + " fails its CRC checksum: the part is damaged");
                }
            }
            return at;
        }
    }
}
