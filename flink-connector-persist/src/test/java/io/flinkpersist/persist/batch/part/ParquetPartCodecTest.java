package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.proto.part.ProtoBatchFormat;
import io.flinkpersist.persist.proto.part.ProtoBatchPartInline;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

class ParquetPartCodecTest {
    private static final String KEY = "s11111111-1111-1111-1111-111111111111/n22222222-2222-2222-2222-222222222222/p3";
    private static final Description ALL_TIMES = Description.of(Frontier.MINIMUM, Frontier.EMPTY);

    private static BlobTraceBatchPart part(Description desc, long index, List<Update> updates) {
        return new BlobTraceBatchPart(desc, index, Update.records(updates));
    }

    private static BlobTraceBatchPart roundTrip(BlobTraceBatchPart part) {
        return ParquetPartCodec.decode(KEY, ParquetPartCodec.encode(part));
    }

    // ---- round trips ---------------------------------------------------------------------------------------------

    @Test
    void roundTripKeepsDescIndexAndEveryByte() {
        BlobTraceBatchPart part = part(ALL_TIMES, 17, Update.EDGE_CASES);

        BlobTraceBatchPart decoded = roundTrip(part);

        assertThat(decoded).isEqualTo(part);
        assertThat(Update.list(decoded.updates())).containsExactlyElementsOf(Update.EDGE_CASES);
    }

    @Test
    void roundTripKeepsACompactedDescription() {
        Description compacted = new Description(Frontier.of(3), Frontier.of(8), Frontier.of(20));
        BlobTraceBatchPart part = part(compacted, 0, List.of(Update.of("a", "b", 20, 2)));

        assertThat(roundTrip(part)).isEqualTo(part);
    }

    @Test
    void roundTripOfManyUpdatesAcrossPages() {
        List<Update> updates = new ArrayList<>();
        Random random = new Random(1);
        for (int i = 0; i < 60_000; i++) {
            updates.add(new Update(Update.randomBytes(random.nextInt(40), i), Update.randomBytes(random.nextInt(40), -i),
                    random.nextInt(1000), random.nextBoolean() ? 1 : -1));
        }
        BlobTraceBatchPart part = part(Description.of(Frontier.MINIMUM, Frontier.of(1000)), 2, updates);

        assertThat(roundTrip(part)).isEqualTo(part);
    }

    @Test
    void emptyPartRoundTripsWithoutARowGroup() throws IOException {
        BlobTraceBatchPart empty = new BlobTraceBatchPart(
                Description.of(Frontier.of(5), Frontier.of(6)), 0, ColumnarRecords.EMPTY);
        byte[] file = ParquetPartCodec.encode(empty);

        BlobTraceBatchPart decoded = ParquetPartCodec.decode(KEY, file);

        assertThat(decoded).isEqualTo(empty);
        assertThat(decoded.updates().len()).isZero();
        try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(file))) {
            assertThat(reader.getRowGroups()).isEmpty();
        }
    }

    @Test
    void encodingIsDeterministic() {
        BlobTraceBatchPart part = part(ALL_TIMES, 1, Update.EDGE_CASES);
        assertThat(ParquetPartCodec.encode(part)).isEqualTo(ParquetPartCodec.encode(part));
    }

    // ---- validation ----------------------------------------------------------------------------------------------

    @Test
    void encodeRefusesAnInvalidPart() {
        BlobTraceBatchPart zeroDiff = part(ALL_TIMES, 0, List.of(Update.of("a", "", 1, 0)));
        BlobTraceBatchPart emptyInterval = part(Description.of(Frontier.of(4), Frontier.of(4)), 0, List.of());

        assertThatThrownBy(() -> ParquetPartCodec.encode(zeroDiff))
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("diff 0");
        assertThatThrownBy(() -> ParquetPartCodec.encode(emptyInterval))
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("empty interval");
    }

    @Test
    void decodeRejectsDataThatItsHeaderMakesInvalid() throws IOException {
        // A well-formed file whose header says [10, 20) while the data holds time 7.
        byte[] file = writeWithGroupApi(ParquetPartCodec.SCHEMA, List.of(Update.of("a", "b", 7, 1)),
                Map.of(ParquetPartCodec.HEADER_KEY, header(Description.of(Frontier.of(10), Frontier.of(20)), 0)),
                UnaryOperator.identity());

        assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, file))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining(KEY)
                .hasMessageContaining("timestamp 7 is not beyond the part's lower [10]")
                .extracting(e -> ((PartDecodeException) e).part()).isEqualTo(KEY);
    }

    @Test
    void decodeRejectsAMissingDescriptionAsAnEmptyInterval() throws IOException {
        // A missing desc decodes as all-minimum, [0, 0), which no part may have.
        String noDesc = Base64.getEncoder().encodeToString(ProtoBatchPartInline.newBuilder()
                .setFormat(ProtoBatchFormat.ParquetKvtd).build().toByteArray());
        byte[] file = writeWithGroupApi(ParquetPartCodec.SCHEMA, List.of(),
                Map.of(ParquetPartCodec.HEADER_KEY, noDesc), UnaryOperator.identity());

        assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, file))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining("upper [0] is not beyond lower [0]");
    }

    // ---- files from other writers ----------------------------------------------------------------------------------

    @Test
    void decodeReadsDictionaryDeltaAndCompressedFilesFromOtherWriters() throws IOException {
        List<Update> updates = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            updates.add(Update.of("key" + (i % 7), i % 3 == 0 ? "" : "value" + i, i, i % 2 == 0 ? 1 : -1));
        }
        Description desc = Description.of(Frontier.MINIMUM, Frontier.of(2000));
        Map<String, String> metadata = Map.of(ParquetPartCodec.HEADER_KEY, header(desc, 9));
        List<UnaryOperator<ExampleParquetWriter.Builder>> writers = List.of(
                b -> b.withDictionaryEncoding(true).withWriterVersion(WriterVersion.PARQUET_1_0),
                b -> b.withDictionaryEncoding(true).withWriterVersion(WriterVersion.PARQUET_2_0),
                b -> b.withDictionaryEncoding(false).withWriterVersion(WriterVersion.PARQUET_2_0)
                        .withCompressionCodec(CompressionCodecName.GZIP),
                b -> b.withDictionaryEncoding(false).withCompressionCodec(CompressionCodecName.SNAPPY)
                        .withPageSize(1024));
        for (UnaryOperator<ExampleParquetWriter.Builder> writer : writers) {
            byte[] file = writeWithGroupApi(ParquetPartCodec.SCHEMA, updates, metadata, writer);

            BlobTraceBatchPart decoded = ParquetPartCodec.decode(KEY, file);

            assertThat(decoded.desc()).isEqualTo(desc);
            assertThat(decoded.index()).isEqualTo(9);
            assertThat(Update.list(decoded.updates())).containsExactlyElementsOf(updates);
        }
    }

    @Test
    void decodeAcceptsPersistsColumnsInAnyOrderUnderAnyMessageName() throws IOException {
        MessageType arrowStyle = MessageTypeParser.parseMessageType(
                "message arrow_schema { required int64 t; required binary k; required int64 d; required binary v; }");
        List<Update> updates = List.of(Update.of("a", "b", 1, 1), Update.of("c", "d", 2, -1));
        byte[] file = writeWithGroupApi(arrowStyle, updates, Map.of(ParquetPartCodec.HEADER_KEY, header(ALL_TIMES, 0)),
                UnaryOperator.identity());

        assertThat(Update.list(ParquetPartCodec.decode(KEY, file).updates())).containsExactlyElementsOf(updates);
    }

    // ---- corrupt or foreign bytes ----------------------------------------------------------------------------------

    @Test
    void truncatedFilesAreRejected() {
        byte[] file = ParquetPartCodec.encode(part(ALL_TIMES, 0, Update.EDGE_CASES));
        for (int length : new int[] {0, 3, 8, 12, file.length / 2, file.length - 9, file.length - 1}) {
            byte[] truncated = Arrays.copyOf(file, length);
            assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, truncated))
                    .as("truncated to %d bytes", length)
                    .isInstanceOf(PartDecodeException.class)
                    .hasMessageStartingWith("cannot decode part " + KEY + ": ");
        }
    }

    @Test
    void flippedMagicIsRejected() {
        byte[] file = ParquetPartCodec.encode(part(ALL_TIMES, 0, List.of(Update.of("a", "b", 1, 1))));
        byte[] badHead = file.clone();
        badHead[0] ^= 1;
        byte[] badTail = file.clone();
        badTail[file.length - 1] ^= 1;

        for (byte[] bad : List.of(badHead, badTail)) {
            assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, bad))
                    .isInstanceOf(PartDecodeException.class)
                    .hasMessageContaining(KEY)
                    .hasMessageContaining("PAR1");
        }
    }

    @Test
    void garbageIsRejected() {
        byte[] garbage = Update.randomBytes(10_000, 3);
        byte[] garbageWithMagic = garbage.clone();
        System.arraycopy("PAR1".getBytes(StandardCharsets.US_ASCII), 0, garbageWithMagic, 0, 4);
        System.arraycopy("PAR1".getBytes(StandardCharsets.US_ASCII), 0, garbageWithMagic, garbage.length - 4, 4);

        for (byte[] bad : List.of(garbage, garbageWithMagic)) {
            assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, bad))
                    .isInstanceOf(PartDecodeException.class)
                    .hasMessageContaining(KEY);
        }
    }

    @Test
    void aFlippedDataByteFailsThePageChecksumOfFilesThatHaveThem() throws IOException {
        // parquet-java's example writer adds page checksums; our encoder, like persist, does not.
        byte[] file = writeWithGroupApi(ParquetPartCodec.SCHEMA, List.of(Update.of("abcdefgh", "ijklmnop", 1, 1)),
                Map.of(ParquetPartCodec.HEADER_KEY, header(ALL_TIMES, 0)),
                b -> b.withDictionaryEncoding(false).withPageWriteChecksumEnabled(true));
        assertThat(ParquetPartCodec.decode(KEY, file).updates().len()).isEqualTo(1);
        file[indexOf(file, "abcdefgh".getBytes(StandardCharsets.US_ASCII))] ^= 1;

        assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, file))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining(KEY)
                .hasMessageContaining("checksum");
    }

    @Test
    void aFileWithoutTheHeaderIsMissingBatchMetadata() throws IOException {
        byte[] file = writeWithGroupApi(ParquetPartCodec.SCHEMA, List.of(Update.of("a", "b", 1, 1)), Map.of(),
                UnaryOperator.identity());

        assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, file))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining(KEY)
                .hasMessageContaining("missing batch metadata");
    }

    @Test
    void badHeadersAreRejected() throws IOException {
        String structured = Base64.getEncoder().encodeToString(ProtoBatchPartInline.newBuilder()
                .setFormat(ProtoBatchFormat.ParquetStructured).setStructuredMigration(3)
                .setDesc(FrontierProtos.toPartDescription(ALL_TIMES)).build().toByteArray());
        String kvtdWithMigration = Base64.getEncoder().encodeToString(ProtoBatchPartInline.newBuilder()
                .setFormat(ProtoBatchFormat.ParquetKvtd).setStructuredMigration(2)
                .setDesc(FrontierProtos.toPartDescription(ALL_TIMES)).build().toByteArray());
        String unknownFormat = Base64.getEncoder().encodeToString(ProtoBatchPartInline.newBuilder()
                .setFormatValue(77).build().toByteArray());
        String negativeIndex = Base64.getEncoder().encodeToString(ProtoBatchPartInline.newBuilder()
                .setFormat(ProtoBatchFormat.ParquetKvtd).setIndex(-1)
                .setDesc(FrontierProtos.toPartDescription(ALL_TIMES)).build().toByteArray());
        Map<String, String> expectedReasons = Map.of(
                "not base64!", "is not a base64 ProtoBatchPartInline",
                Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0x01}), "is not a base64 ProtoBatchPartInline",
                structured, "unsupported part format ParquetStructured (3)",
                kvtdWithMigration, "structured_migration 2",
                unknownFormat, "unsupported part format UNRECOGNIZED (77)",
                negativeIndex, "18446744073709551615");
        for (Map.Entry<String, String> c : expectedReasons.entrySet()) {
            byte[] file = writeWithGroupApi(ParquetPartCodec.SCHEMA, List.of(Update.of("a", "b", 1, 1)),
                    Map.of(ParquetPartCodec.HEADER_KEY, c.getKey()), UnaryOperator.identity());
            assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, file))
                    .as(c.getValue())
                    .isInstanceOf(PartDecodeException.class)
                    .hasMessageContaining(KEY)
                    .hasMessageContaining(c.getValue());
        }
    }

    @Test
    void otherSchemasAreRejected() throws IOException {
        List<String> schemas = List.of(
                "message m { required binary k; required binary v; required int64 t; }",
                "message m { required binary k; required binary v; required int64 t; required int64 d; required int64 e; }",
                "message m { optional binary k; required binary v; required int64 t; required int64 d; }",
                "message m { required binary k; required binary v; required int32 t; required int64 d; }",
                "message m { required binary key; required binary v; required int64 t; required int64 d; }");
        for (String schema : schemas) {
            byte[] file = writeWithGroupApi(MessageTypeParser.parseMessageType(schema), List.of(),
                    Map.of(ParquetPartCodec.HEADER_KEY, header(ALL_TIMES, 0)), UnaryOperator.identity());
            assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, file))
                    .as(schema)
                    .isInstanceOf(PartDecodeException.class)
                    .hasMessageContaining(KEY)
                    .hasMessageContaining("persist's ParquetKvtd layout");
        }
    }

    @Test
    void aFileWithTwoRowGroupsIsRejected() throws IOException {
        List<Update> updates = List.of(Update.of("a", "", 1, 1), Update.of("b", "", 2, 1), Update.of("c", "", 3, 1));
        byte[] file = writeWithGroupApi(ParquetPartCodec.SCHEMA, updates,
                Map.of(ParquetPartCodec.HEADER_KEY, header(ALL_TIMES, 0)), b -> b.withRowGroupRowCountLimit(2));

        assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, file))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining(KEY)
                .hasMessageContaining("expected one row group, found 2");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    static String header(Description desc, long index) {
        return Base64.getEncoder().encodeToString(ProtoBatchPartInline.newBuilder()
                .setFormat(ProtoBatchFormat.ParquetKvtd)
                .setDesc(FrontierProtos.toPartDescription(desc))
                .setIndex(index)
                .build()
                .toByteArray());
    }

    /** A Parquet file written by parquet-java's example writer, which is not our encoder. */
    static byte[] writeWithGroupApi(MessageType schema, List<Update> updates, Map<String, String> metadata,
            UnaryOperator<ExampleParquetWriter.Builder> configure) throws IOException {
        ByteArrayOutputFile out = new ByteArrayOutputFile(1024);
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> writer = configure.apply(
                ExampleParquetWriter.builder(out).withType(schema).withExtraMetaData(metadata)).build()) {
            for (Update u : updates) {
                Group row = groups.newGroup();
                for (int field = 0; field < schema.getFieldCount(); field++) {
                    switch (schema.getFieldName(field)) {
                        case "k" -> row.add(field, Binary.fromConstantByteArray(u.key()));
                        case "v" -> row.add(field, Binary.fromConstantByteArray(u.value()));
                        case "t" -> row.add(field, u.time());
                        case "d" -> row.add(field, u.diff());
                        default -> throw new IllegalArgumentException(schema.getFieldName(field));
                    }
                }
                writer.write(row);
            }
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
