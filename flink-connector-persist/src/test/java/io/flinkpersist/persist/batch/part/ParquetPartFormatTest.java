package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.proto.part.ProtoBatchFormat;
import io.flinkpersist.persist.proto.part.ProtoBatchPartInline;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our Parquet parts as a plain Parquet reader (parquet-java over a local file, not our decoder) sees them. */
class ParquetPartFormatTest {
    private static final Description DESC = new Description(Frontier.of(0), Frontier.EMPTY, Frontier.MINIMUM);
    private static final long INDEX = 4;
    private static final int PAGE_SIZE = 1 << 20;

    private static List<Update> updates;
    private static Path file;

    @BeforeAll
    static void writePart(@TempDir Path dir) throws IOException {
        updates = new ArrayList<>(Update.EDGE_CASES);
        Random random = new Random(5);
        // Enough small keys for several 1 MiB pages in the k column.
        for (int i = 0; i < 40_000; i++) {
            updates.add(new Update(Update.randomBytes(40 + random.nextInt(40), i), new byte[] {1},
                    random.nextLong(Long.MAX_VALUE), -1 - random.nextInt(3)));
        }
        file = dir.resolve("part.parquet");
        Files.write(file, ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, INDEX, Update.records(updates))));
    }

    private static ParquetFileReader openPlainReader() throws IOException {
        return ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()));
    }

    @Test
    void schemaIsExactlyPersistsKvtdColumns() throws IOException {
        try (ParquetFileReader reader = openPlainReader()) {
            assertThat(reader.getFooter().getFileMetaData().getSchema()).isEqualTo(MessageTypeParser.parseMessageType(
                    "message persist { required binary k; required binary v; required int64 t; required int64 d; }"));
        }
    }

    @Test
    void thereIsExactlyOneRowGroup() throws IOException {
        try (ParquetFileReader reader = openPlainReader()) {
            assertThat(reader.getRowGroups()).hasSize(1);
            assertThat(reader.getRowGroups().get(0).getRowCount()).isEqualTo(updates.size());
        }
    }

    @Test
    void theHeaderIsAStandardBase64ProtoBatchPartInline() throws Exception {
        try (ParquetFileReader reader = openPlainReader()) {
            String encoded = reader.getFooter().getFileMetaData().getKeyValueMetaData().get("MZ:inline");

            assertThat(encoded).matches("[A-Za-z0-9+/]*={0,2}");
            assertThat(ProtoBatchPartInline.parseFrom(Base64.getDecoder().decode(encoded))).isEqualTo(
                    ProtoBatchPartInline.newBuilder()
                            .setFormat(ProtoBatchFormat.ParquetKvtd)
                            .setDesc(FrontierProtos.toPartDescription(DESC))
                            .setIndex(INDEX)
                            .build());
        }
    }

    @Test
    void columnsArePlainUncompressedWithoutDictionaryOrStatistics() throws IOException {
        try (ParquetFileReader reader = openPlainReader()) {
            for (ColumnChunkMetaData column : reader.getRowGroups().get(0).getColumns()) {
                assertThat(column.getCodec()).as("%s", column.getPath()).isEqualTo(CompressionCodecName.UNCOMPRESSED);
                assertThat(column.getEncodings()).as("%s", column.getPath()).containsOnly(Encoding.PLAIN);
                assertThat(column.hasDictionaryPage()).isFalse();
                assertThat(column.getStatistics().isEmpty()).as("%s statistics", column.getPath()).isTrue();
                assertThat(column.getColumnIndexReference()).isNull();
            }
        }
    }

    @Test
    void pagesAreVersion2PlainChecksummedAndAboutOneMebibyte() throws IOException {
        try (ParquetFileReader reader = openPlainReader()) {
            PageReadStore rowGroup = reader.readNextRowGroup();
            for (ColumnDescriptor column : reader.getFooter().getFileMetaData().getSchema().getColumns()) {
                PageReader pages = rowGroup.getPageReader(column);
                assertThat(pages.readDictionaryPage()).isNull();
                int count = 0;
                for (DataPage page = pages.readPage(); page != null; page = pages.readPage()) {
                    count++;
                    assertThat(page).isInstanceOf(DataPageV2.class);
                    assertThat(((DataPageV2) page).getDataEncoding()).isEqualTo(Encoding.PLAIN);
                    assertThat(((DataPageV2) page).isCompressed()).isFalse();
                    assertThat(page.getCrc()).as("page checksum").isPresent();
                    if (column.getPath()[0].equals("k")) {
                        // The page is cut once it passes the limit, so it may exceed it by a few keys.
                        assertThat(page.getUncompressedSize()).isLessThan(PAGE_SIZE + 64 * 1024);
                    }
                }
                if (column.getPath()[0].equals("k")) {
                    assertThat(count).as("pages of k").isGreaterThan(2);
                }
            }
        }
    }

    @Test
    void aPlainRowReaderSeesEveryUpdate() throws IOException {
        List<Update> read = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
                new org.apache.hadoop.fs.Path(file.toUri())).build()) {
            for (Group row = reader.read(); row != null; row = reader.read()) {
                read.add(new Update(row.getBinary("k", 0).getBytes(), row.getBinary("v", 0).getBytes(),
                        row.getLong("t", 0), row.getLong("d", 0)));
            }
        }
        assertThat(read).containsExactlyElementsOf(updates);
    }

    @Test
    void theFooterRecordsTheWriter() throws IOException {
        try (ParquetFileReader reader = openPlainReader()) {
            ParquetMetadata footer = reader.getFooter();
            assertThat(footer.getFileMetaData().getCreatedBy()).startsWith("flink-connector-persist version ");
        }
    }
}
