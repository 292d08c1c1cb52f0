package io.flinkpersist.persist.batch.part;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;

/**
 * Writes updates as a Parquet file the way persist does: PLAIN encoding, no dictionary, no compression, no column
 * statistics, data pages v2 of at most 1 MiB, one row group however large (none when there are no updates), and no
 * page checksums (parquet-java would copy the whole part once more to compute them).
 *
 * <p>It drives parquet-java's file and column writers directly: {@code ParquetWriter} forces DELTA encodings under
 * writer version 2, and its row-object interface is not needed when the data is already in columns.
 */
final class ParquetPartWriter {
    private static final int PAGE_SIZE = 1 << 20;

    private static final ParquetProperties PROPERTIES = ParquetProperties.builder()
            .withWriterVersion(WriterVersion.PARQUET_2_0)
            .withPageSize(PAGE_SIZE)
            .withDictionaryEncoding(false)
            .withValuesWriterFactory(new PlainValuesWriterFactory())
            .withStatisticsEnabled(false)
            .withSizeStatisticsEnabled(false)
            .withPageWriteChecksumEnabled(false)
            .withAllocator(HeapByteBufferAllocator.getInstance())
            .build();

    private static final BytesInputCompressor NO_COMPRESSION =
            new CodecFactory(new PlainParquetConfiguration(), PAGE_SIZE).getCompressor(CompressionCodecName.UNCOMPRESSED);

    private ParquetPartWriter() {}

    /** The whole file, with {@code header} under {@value ParquetPartCodec#HEADER_KEY}. */
    static byte[] write(ColumnarRecords updates, String header) throws IOException {
        ByteArrayOutputFile out = new ByteArrayOutputFile(expectedFileLength(updates));
        ParquetFileWriter file = new ParquetFileWriter(
                out, ParquetPartCodec.SCHEMA, ParquetFileWriter.Mode.CREATE, Long.MAX_VALUE, 0, null, PROPERTIES);
        file.start();
        ColumnChunkPageWriteStore pages = new ColumnChunkPageWriteStore(NO_COMPRESSION, ParquetPartCodec.SCHEMA,
                PROPERTIES.getAllocator(), PROPERTIES.getColumnIndexTruncateLength(),
                PROPERTIES.getPageWriteChecksumEnabled());
        ColumnWriteStore columns = PROPERTIES.newColumnWriteStore(ParquetPartCodec.SCHEMA, pages, pages);
        try {
            if (updates.len() > 0) {
                writeRows(columns, updates);
                file.startBlock(updates.len());
                columns.flush();
                pages.flushToFileWriter(file);
                file.endBlock();
            }
        } finally {
            columns.close();
            pages.close();
        }
        file.end(Map.of(ParquetPartCodec.HEADER_KEY, header));
        return out.toByteArray();
    }

    /** Sized so that the buffer never grows: PLAIN adds 4 bytes per binary value, pages and footer a little more. */
    private static long expectedFileLength(ColumnarRecords updates) {
        long data = updates.goodbytes() + 2L * Integer.BYTES * updates.len();
        long pages = data / PAGE_SIZE + ParquetPartCodec.SCHEMA.getColumns().size();
        return data + pages * 64 + 4096;
    }

    private static void writeRows(ColumnWriteStore columns, ColumnarRecords updates) {
        List<ColumnDescriptor> descriptors = ParquetPartCodec.SCHEMA.getColumns();
        ColumnWriter k = columns.getColumnWriter(descriptors.get(0));
        ColumnWriter v = columns.getColumnWriter(descriptors.get(1));
        ColumnWriter t = columns.getColumnWriter(descriptors.get(2));
        ColumnWriter d = columns.getColumnWriter(descriptors.get(3));
        byte[] keyData = updates.keyData();
        int[] keyOffsets = updates.keyOffsets();
        byte[] valData = updates.valData();
        int[] valOffsets = updates.valOffsets();
        long[] times = updates.times();
        long[] diffs = updates.diffs();
        for (int i = 0; i < updates.len(); i++) {
            // Required, non-repeated columns: repetition and definition levels are always 0. The Binary wrappers
            // are the only per-update allocation; PLAIN copies their bytes into the page at once.
            k.write(Binary.fromConstantByteArray(keyData, keyOffsets[i], keyOffsets[i + 1] - keyOffsets[i]), 0, 0);
            v.write(Binary.fromConstantByteArray(valData, valOffsets[i], valOffsets[i + 1] - valOffsets[i]), 0, 0);
            t.write(times[i], 0, 0);
            d.write(diffs[i], 0, 0);
            columns.endRecord();
        }
    }
}
