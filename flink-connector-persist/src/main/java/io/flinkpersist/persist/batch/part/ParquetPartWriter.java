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
import java.util.zip.CRC32;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.ColumnOrder;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.PageEncodingStats;
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
 * into a file buffer of exactly the file's size. A first pass plans the pages from the values' offsets alone; the
 * second lays each page's values out, checksums them where they lie and writes the page's header in front of them
 * (its length fixed in advance: {@link DataPageHeaderV2Encoding}). parquet-java's writer took four copies of the
 * part and most of an upload thread's time.
 */
final class ParquetPartWriter {
    static final int PAGE_SIZE = 1 << 20;
    static final int PAGE_ROWS = 20_000;
    static final String CREATED_BY = "flink-connector-persist version " + BuildVersion.current();

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** How many bytes of a page are laid out between two steps of its checksum: well within a core's L1/L2 cache. */
    private static final int CHECKSUM_STEP = 16 * 1024;

    private ParquetPartWriter() {}

    /** A page of a column chunk: rows {@code [from, to)}, {@code dataBytes} long, behind a header so long. */
    private record Page(int from, int to, int dataBytes, int headerLength) {}

    /** The whole file, with {@code header} under {@value ParquetPartCodec#HEADER_KEY}. */
    static byte[] write(ColumnarRecords updates, String header, boolean pageChecksums) throws IOException {
        int len = updates.len();
        List<List<Page>> chunks = new ArrayList<>();
        if (len > 0) {
            chunks.add(binaryPages(updates.keyOffsets(), len, pageChecksums));
            chunks.add(binaryPages(updates.valOffsets(), len, pageChecksums));
            chunks.add(longPages(len, pageChecksums));
            chunks.add(longPages(len, pageChecksums));
        }
        byte[] footer = footer(chunks, len, header);
        long size = MAGIC.length + (long) footer.length + Integer.BYTES + MAGIC.length;
        for (List<Page> pages : chunks) {
            for (Page page : pages) {
                size += page.headerLength() + (long) page.dataBytes();
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
            at = writeBinaryChunk(file, at, chunks.get(0), updates.keyData(), updates.keyOffsets(), pageChecksums);
            at = writeBinaryChunk(file, at, chunks.get(1), updates.valData(), updates.valOffsets(), pageChecksums);
            at = writeLongChunk(file, at, chunks.get(2), updates.times(), pageChecksums);
            at = writeLongChunk(file, at, chunks.get(3), updates.diffs(), pageChecksums);
        }
        System.arraycopy(footer, 0, file, at, footer.length);
        at += footer.length;
        LE_INT.set(file, at, footer.length);
        System.arraycopy(MAGIC, 0, file, at + Integer.BYTES, MAGIC.length);
        return file;
    }

    /** Pages of a binary column: each value is its 4-byte length, then its bytes. */
    private static List<Page> binaryPages(int[] offsets, int len, boolean checksums) throws IOException {
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
            pages.add(page(from, to, (int) bytes, checksums));
            from = to;
        }
        return pages;
    }

    /** Pages of an int64 column: 8 little-endian bytes a value. */
    private static List<Page> longPages(int len, boolean checksums) {
        List<Page> pages = new ArrayList<>();
        int perPage = Math.min(PAGE_ROWS, PAGE_SIZE / Long.BYTES);
        for (int from = 0; from < len; from += perPage) {
            int to = Math.min(len, from + perPage);
            pages.add(page(from, to, (to - from) * Long.BYTES, checksums));
        }
        return pages;
    }

    private static Page page(int from, int to, int bytes, boolean checksums) {
        return new Page(from, to, bytes, DataPageHeaderV2Encoding.length(to - from, bytes, checksums));
    }

    private static int writeBinaryChunk(byte[] file, int at, List<Page> pages, byte[] data, int[] offsets,
            boolean checksums) {
        for (Page page : pages) {
            PageChecksum crc = new PageChecksum(file, at + page.headerLength(), checksums);
            int end = at + page.headerLength();
            for (int i = page.from(); i < page.to(); i++) {
                int start = offsets[i];
                int length = offsets[i + 1] - start;
                LE_INT.set(file, end, length);
                System.arraycopy(data, start, file, end + Integer.BYTES, length);
                end += Integer.BYTES + length;
                crc.upTo(end);
            }
            at = writeHeader(file, at, page, checksums, crc.finish(end));
        }
        return at;
    }

    private static int writeLongChunk(byte[] file, int at, List<Page> pages, long[] values, boolean checksums) {
        for (Page page : pages) {
            PageChecksum crc = new PageChecksum(file, at + page.headerLength(), checksums);
            int end = at + page.headerLength();
            for (int i = page.from(); i < page.to(); i++) {
                LE_LONG.set(file, end, values[i]);
                end += Long.BYTES;
                crc.upTo(end);
            }
            at = writeHeader(file, at, page, checksums, crc.finish(end));
        }
        return at;
    }

    /**
     * The CRC32 of a page's values, taken in steps of {@value #CHECKSUM_STEP} bytes as they are laid out, while they
     * are still in the core's cache (over a whole 1 MiB page afterwards it ran at a third of the speed).
     */
    private static final class PageChecksum {
        private final byte[] file;
        private final CRC32 crc;
        private int from;

        PageChecksum(byte[] file, int from, boolean enabled) {
            this.file = file;
            this.from = from;
            this.crc = enabled ? new CRC32() : null;
        }

        void upTo(int end) {
            if (crc != null && end - from >= CHECKSUM_STEP) {
                crc.update(file, from, end - from);
                from = end;
            }
        }

        int finish(int end) {
            if (crc == null) {
                return 0;
            }
            crc.update(file, from, end - from);
            return (int) crc.getValue();
        }
    }

    /** Writes the header of {@code page}, whose values lie behind it, and returns where the next page starts. */
    private static int writeHeader(byte[] file, int at, Page page, boolean checksums, int checksum) {
        int values = at + page.headerLength();
        int written = DataPageHeaderV2Encoding.write(file, at, page.to() - page.from(), page.dataBytes(), checksums,
                checksum);
        if (written != values) {
            throw new IllegalStateException("a page header of " + (written - at) + " bytes where "
                    + page.headerLength() + " were planned");
        }
        return values + page.dataBytes();
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
                    chunkBytes += page.headerLength() + (long) page.dataBytes();
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
