package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.ids.BuildVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.zip.CRC32;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.ColumnOrder;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.PageEncodingStats;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.TypeDefinedOrder;
import org.apache.parquet.format.Util;

/**
 * Writes updates as a Parquet file the way persist does: PLAIN encoding, no dictionary, no compression, no column
 * statistics, data pages v2 of at most 1 MiB and 20,000 rows, one row group however large (none when there are no
 * updates); and, unless turned off, a CRC32 checksum on every page, which readers verify.
 *
 * <p>The file is laid out directly, not through parquet-java's column writers: a PLAIN page of required columns is
 * its values back to back (a binary value behind its 4-byte little-endian length), so the columns are copied once
 * into a file buffer of exactly the file's size. A first pass plans the pages and sums their checksums (a page
 * header holds its page's checksum and precedes it, and its length depends on it); the second writes the file.
 * parquet-java's writer took four copies of the part and most of an upload thread's time.
 */
final class ParquetPartWriter {
    static final int PAGE_SIZE = 1 << 20;
    static final int PAGE_ROWS = 20_000;
    static final String CREATED_BY = "flink-connector-persist version " + BuildVersion.current();

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Where the first pass assembles page bytes to checksum them: small enough to stay in a core's cache. */
    private static final int CHECKSUM_CHUNK = 64 * 1024;

    private ParquetPartWriter() {}

    /** A page of a column chunk: rows {@code [from, to)}, {@code dataBytes} long, and its serialized header. */
    private record Page(int from, int to, int dataBytes, byte[] header) {}

    /** The whole file, with {@code header} under {@value ParquetPartCodec#HEADER_KEY}. */
    static byte[] write(ColumnarRecords updates, String header, boolean pageChecksums) throws IOException {
        int len = updates.len();
        List<List<Page>> chunks = new ArrayList<>();
        if (len > 0) {
            byte[] scratch = pageChecksums ? new byte[CHECKSUM_CHUNK] : null;
            chunks.add(binaryPages(updates.keyData(), updates.keyOffsets(), len, scratch));
            chunks.add(binaryPages(updates.valData(), updates.valOffsets(), len, scratch));
            chunks.add(longPages(updates.times(), len, scratch));
            chunks.add(longPages(updates.diffs(), len, scratch));
        }
        byte[] footer = footer(chunks, len, header);
        long size = MAGIC.length + (long) footer.length + Integer.BYTES + MAGIC.length;
        for (List<Page> pages : chunks) {
            for (Page page : pages) {
                size += page.header().length + (long) page.dataBytes();
            }
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException("a part of " + len + " updates would be a file of " + size
                    + " bytes, more than a Java array holds; lower the part target size");
        }
        byte[] file = new byte[(int) size];
        System.arraycopy(MAGIC, 0, file, 0, MAGIC.length);
        int at = MAGIC.length;
        if (len > 0) {
            at = writeBinaryChunk(file, at, chunks.get(0), updates.keyData(), updates.keyOffsets());
            at = writeBinaryChunk(file, at, chunks.get(1), updates.valData(), updates.valOffsets());
            at = writeLongChunk(file, at, chunks.get(2), updates.times());
            at = writeLongChunk(file, at, chunks.get(3), updates.diffs());
        }
        System.arraycopy(footer, 0, file, at, footer.length);
        at += footer.length;
        LE_INT.set(file, at, footer.length);
        System.arraycopy(MAGIC, 0, file, at + Integer.BYTES, MAGIC.length);
        return file;
    }

    /** Pages of a binary column: each value is its 4-byte length, then its bytes. */
    /** @param scratch where page checksums are assembled, or null to write pages without checksums */
    private static List<Page> binaryPages(byte[] data, int[] offsets, int len, byte[] scratch) throws IOException {
        List<Page> pages = new ArrayList<>();
        int from = 0;
        while (from < len) {
            long bytes = 0;
            int to = from;
            while (to < len && to - from < PAGE_ROWS) {
                long value = Integer.BYTES + (long) offsets[to + 1] - offsets[to];
                if (to > from && bytes + value > PAGE_SIZE) {
                    break;
                }
                bytes += value;
                to++;
            }
            if (bytes > Integer.MAX_VALUE) {
                throw new IOException("a single value of " + bytes + " bytes does not fit a Parquet page");
            }
            OptionalInt crc = scratch == null ? OptionalInt.empty()
                    : OptionalInt.of(binaryChecksum(data, offsets, from, to, scratch));
            pages.add(new Page(from, to, (int) bytes, pageHeader(to - from, (int) bytes, crc)));
            from = to;
        }
        return pages;
    }

    private static int binaryChecksum(byte[] data, int[] offsets, int from, int to, byte[] scratch) {
        CRC32 crc = new CRC32();
        int used = 0;
        for (int i = from; i < to; i++) {
            int start = offsets[i];
            int length = offsets[i + 1] - start;
            if (used + Integer.BYTES + length > scratch.length) {
                crc.update(scratch, 0, used);
                used = 0;
            }
            LE_INT.set(scratch, used, length);
            used += Integer.BYTES;
            if (length > scratch.length - Integer.BYTES) {
                // Larger than the chunk: its bytes go to the checksum straight from the column.
                crc.update(scratch, 0, used);
                used = 0;
                crc.update(data, start, length);
            } else {
                System.arraycopy(data, start, scratch, used, length);
                used += length;
            }
        }
        crc.update(scratch, 0, used);
        return (int) crc.getValue();
    }

    /** Pages of an int64 column: 8 little-endian bytes a value. */
    private static List<Page> longPages(long[] values, int len, byte[] scratch) throws IOException {
        List<Page> pages = new ArrayList<>();
        int perPage = Math.min(PAGE_ROWS, PAGE_SIZE / Long.BYTES);
        for (int from = 0; from < len; from += perPage) {
            int to = Math.min(len, from + perPage);
            int bytes = (to - from) * Long.BYTES;
            OptionalInt crc = scratch == null ? OptionalInt.empty() : OptionalInt.of(longChecksum(values, from, to,
                    scratch));
            pages.add(new Page(from, to, bytes, pageHeader(to - from, bytes, crc)));
        }
        return pages;
    }

    private static int longChecksum(long[] values, int from, int to, byte[] scratch) {
        CRC32 crc = new CRC32();
        int perChunk = scratch.length / Long.BYTES;
        for (int chunk = from; chunk < to; chunk += perChunk) {
            int end = Math.min(to, chunk + perChunk);
            for (int i = chunk; i < end; i++) {
                LE_LONG.set(scratch, (i - chunk) * Long.BYTES, values[i]);
            }
            crc.update(scratch, 0, (end - chunk) * Long.BYTES);
        }
        return (int) crc.getValue();
    }

    private static byte[] pageHeader(int rows, int bytes, OptionalInt crc) throws IOException {
        DataPageHeaderV2 v2 = new DataPageHeaderV2(rows, 0, rows, Encoding.PLAIN, 0, 0);
        v2.setIs_compressed(false);
        PageHeader header = new PageHeader(PageType.DATA_PAGE_V2, bytes, bytes);
        crc.ifPresent(header::setCrc);
        header.setData_page_header_v2(v2);
        ByteArrayOutputStream out = new ByteArrayOutputStream(48);
        Util.writePageHeader(header, out);
        return out.toByteArray();
    }

    private static int writeBinaryChunk(byte[] file, int at, List<Page> pages, byte[] data, int[] offsets) {
        for (Page page : pages) {
            System.arraycopy(page.header(), 0, file, at, page.header().length);
            at += page.header().length;
            for (int i = page.from(); i < page.to(); i++) {
                int start = offsets[i];
                int length = offsets[i + 1] - start;
                LE_INT.set(file, at, length);
                System.arraycopy(data, start, file, at + Integer.BYTES, length);
                at += Integer.BYTES + length;
            }
        }
        return at;
    }

    private static int writeLongChunk(byte[] file, int at, List<Page> pages, long[] values) {
        for (Page page : pages) {
            System.arraycopy(page.header(), 0, file, at, page.header().length);
            at += page.header().length;
            for (int i = page.from(); i < page.to(); i++) {
                LE_LONG.set(file, at, values[i]);
                at += Long.BYTES;
            }
        }
        return at;
    }

    /** The file metadata of {@link ParquetPartCodec#SCHEMA}, the columns' chunks in order from the first page on. */
    private static byte[] footer(List<List<Page>> chunks, int rows, String header) throws IOException {
        List<SchemaElement> schema = new ArrayList<>();
        SchemaElement root = new SchemaElement("persist");
        root.setNum_children(4);
        schema.add(root);
        String[] names = {"k", "v", "t", "d"};
        Type[] types = {Type.BYTE_ARRAY, Type.BYTE_ARRAY, Type.INT64, Type.INT64};
        for (int c = 0; c < names.length; c++) {
            SchemaElement column = new SchemaElement(names[c]);
            column.setType(types[c]);
            column.setRepetition_type(FieldRepetitionType.REQUIRED);
            schema.add(column);
        }
        List<RowGroup> rowGroups = new ArrayList<>();
        if (rows > 0) {
            List<ColumnChunk> columns = new ArrayList<>();
            long at = MAGIC.length;
            long total = 0;
            for (int c = 0; c < names.length; c++) {
                List<Page> pages = chunks.get(c);
                long chunkBytes = 0;
                for (Page page : pages) {
                    chunkBytes += page.header().length + (long) page.dataBytes();
                }
                ColumnMetaData meta = new ColumnMetaData(types[c], List.of(Encoding.PLAIN), List.of(names[c]),
                        CompressionCodec.UNCOMPRESSED, rows, chunkBytes, chunkBytes, at);
                meta.setEncoding_stats(List.of(new PageEncodingStats(PageType.DATA_PAGE_V2, Encoding.PLAIN,
                        pages.size())));
                ColumnChunk chunk = new ColumnChunk(0);
                chunk.setMeta_data(meta);
                columns.add(chunk);
                at += chunkBytes;
                total += chunkBytes;
            }
            RowGroup rowGroup = new RowGroup(columns, total, rows);
            rowGroup.setFile_offset(MAGIC.length);
            rowGroup.setTotal_compressed_size(total);
            rowGroup.setOrdinal((short) 0);
            rowGroups.add(rowGroup);
        }
        FileMetaData metadata = new FileMetaData(1, schema, rows, rowGroups);
        metadata.setKey_value_metadata(List.of(new KeyValue(ParquetPartCodec.HEADER_KEY).setValue(header)));
        metadata.setCreated_by(CREATED_BY);
        List<ColumnOrder> orders = new ArrayList<>();
        for (int c = 0; c < names.length; c++) {
            orders.add(ColumnOrder.TYPE_ORDER(new TypeDefinedOrder()));
        }
        metadata.setColumn_orders(orders);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + header.length());
        Util.writeFileMetaData(metadata, out);
        return out.toByteArray();
    }
}
