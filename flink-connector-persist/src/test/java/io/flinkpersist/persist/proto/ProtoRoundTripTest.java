package io.flinkpersist.persist.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import io.flinkpersist.persist.proto.batch.BatchProto;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.proto.diff.DiffProto;
import io.flinkpersist.persist.proto.part.PersistProto;
import io.flinkpersist.persist.proto.part.ProtoBatchFormat;
import io.flinkpersist.persist.proto.part.ProtoBatchPartInline;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.proto.state.ProtoWriterState;
import io.flinkpersist.persist.proto.state.StateProto;
import io.flinkpersist.persist.proto.stats.StatsProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The persist protos: every message round-trips byte for byte, unknown fields survive, and the wire numbers are
 * those of persist (a renumbering breaks these tests).
 */
class ProtoRoundTripTest {

    private static final List<FileDescriptor> FILES = List.of(
            PersistProto.getDescriptor(), StateProto.getDescriptor(), BatchProto.getDescriptor(),
            DiffProto.getDescriptor(), StatsProto.getDescriptor());

    // ---- coverage ------------------------------------------------------------------------------------------------

    /** All message types of our files, nested ones included, without the synthetic map-entry types. */
    private static List<Descriptor> allMessageTypes() {
        List<Descriptor> out = new ArrayList<>();
        for (FileDescriptor file : FILES) {
            for (Descriptor d : file.getMessageTypes()) {
                collect(d, out);
            }
        }
        return out;
    }

    private static void collect(Descriptor d, List<Descriptor> out) {
        if (d.getOptions().getMapEntry()) {
            return;
        }
        out.add(d);
        for (Descriptor nested : d.getNestedTypes()) {
            collect(nested, out);
        }
    }

    private static boolean inRealOneof(FieldDescriptor f) {
        return f.getRealContainingOneof() != null;
    }

    @Test
    void everyMessageTypeHasAFullyPopulatedFixture() {
        Map<String, List<Message>> byType = ProtoFixtures.all().stream()
                .collect(Collectors.groupingBy(m -> m.getDescriptorForType().getFullName(), LinkedHashMap::new,
                        Collectors.toList()));
        List<String> declared = allMessageTypes().stream().map(Descriptor::getFullName).toList();
        assertThat(byType.keySet()).as("fixtures exist for exactly the declared message types")
                .containsExactlyInAnyOrderElementsOf(declared);

        for (Descriptor type : allMessageTypes()) {
            List<Message> fixtures = byType.get(type.getFullName());
            List<FieldDescriptor> plain = type.getFields().stream().filter(f -> !inRealOneof(f)).toList();
            assertThat(fixtures).as("%s: one fixture sets every field outside a oneof", type.getFullName())
                    .anySatisfy(m -> assertThat(m.getAllFields().keySet()).containsAll(plain));
            Set<FieldDescriptor> covered = new HashSet<>();
            fixtures.forEach(m -> covered.addAll(m.getAllFields().keySet()));
            assertThat(covered).as("%s: every field and every oneof variant is exercised", type.getFullName())
                    .containsExactlyInAnyOrderElementsOf(type.getFields());
        }
    }

    // ---- round trip ----------------------------------------------------------------------------------------------

    static Stream<Arguments> fixtures() {
        return ProtoFixtures.all().stream().map(m -> Arguments.of(label(m), m));
    }

    private static String label(Message m) {
        String variants = m.getDescriptorForType().getRealOneofs().stream()
                .map(o -> o.getName() + "=" + (m.hasOneof(o) ? m.getOneofFieldDescriptor(o).getName() : "unset"))
                .collect(Collectors.joining(", "));
        return m.getDescriptorForType().getFullName() + (variants.isEmpty() ? "" : " [" + variants + "]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyMessageRoundTripsByteForByte(String label, Message original) throws InvalidProtocolBufferException {
        byte[] bytes = original.toByteArray();
        assertThat(bytes).isNotEmpty();

        Message parsed = original.getParserForType().parseFrom(bytes);

        assertThat(parsed).isEqualTo(original);
        assertThat(parsed.getAllFields()).isEqualTo(original.getAllFields());
        assertThat(parsed.toByteArray()).isEqualTo(bytes);
        if (original.getUnknownFields().asMap().isEmpty()) {
            assertThat(parsed.getUnknownFields().asMap()).as("every field was recognised").isEmpty();
        }
    }

    // ---- unknown fields ------------------------------------------------------------------------------------------

    /** What a newer persist might add: a field number we do not know, as varint and length-delimited values. */
    private static final int FUTURE_FIELD = 1000;

    private static byte[] futureField() throws IOException {
        return encode(out -> {
            out.writeUInt64(FUTURE_FIELD, 123_456_789L);
            out.writeBytes(FUTURE_FIELD, ByteString.copyFromUtf8("from the future"));
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Parses bytes a newer writer produced, re-encodes, parses again, and shows nothing was lost. */
    private static void assertUnknownFieldSurvives(Message original) throws IOException {
        byte[] fromNewerWriter = concat(original.toByteArray(), futureField());

        Message parsed = original.getParserForType().parseFrom(fromNewerWriter);
        assertThat(parsed.getUnknownFields().hasField(FUTURE_FIELD)).isTrue();

        byte[] reencoded = parsed.toByteArray();
        assertThat(reencoded).isEqualTo(fromNewerWriter);

        Message reparsed = original.getParserForType().parseFrom(reencoded);
        UnknownFieldSet.Field future = reparsed.getUnknownFields().getField(FUTURE_FIELD);
        assertThat(future.getVarintList()).containsExactly(123_456_789L);
        assertThat(future.getLengthDelimitedList()).containsExactly(ByteString.copyFromUtf8("from the future"));
        assertThat(reparsed.toBuilder().setUnknownFields(original.getUnknownFields()).build())
                .as("the known fields are unchanged").isEqualTo(original);
    }

    @Test
    void unknownFieldsSurviveInTheDurableMessages() throws IOException {
        assertUnknownFieldSurvives(ProtoFixtures.blobPart());
        assertUnknownFieldSurvives(ProtoFixtures.inlinePart());
        assertUnknownFieldSurvives(ProtoFixtures.runRefPart());
        assertUnknownFieldSurvives(ProtoFixtures.hollowBatch());
        assertUnknownFieldSurvives(ProtoFixtures.batch());
        assertUnknownFieldSurvives(ProtoFixtures.rollup());
        assertUnknownFieldSurvives(ProtoFixtures.writerState());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void unknownFieldsSurviveInEveryMessage(String label, Message original) throws IOException {
        assertUnknownFieldSurvives(original);
    }

    @Test
    void unknownFieldsSurviveDeepInsideABatchAndARollup() throws IOException {
        UnknownFieldSet future = UnknownFieldSet.newBuilder()
                .addField(FUTURE_FIELD, UnknownFieldSet.Field.newBuilder().addFixed64(0x0102030405060708L).build())
                .build();
        ProtoHollowBatchPart part = ProtoFixtures.blobPart().toBuilder().setUnknownFields(future).build();
        ProtoBatch batch = ProtoFixtures.batch().toBuilder()
                .setBatch(ProtoFixtures.hollowBatch().toBuilder().setParts(0, part))
                .build();
        ProtoWriterState writer = ProtoFixtures.writerState().toBuilder().setUnknownFields(future).build();
        ProtoRollup rollup = ProtoFixtures.rollup().toBuilder()
                .putWriters(ProtoFixtures.WRITER, writer)
                .build();

        ProtoBatch batchAgain = ProtoBatch.parseFrom(ProtoBatch.parseFrom(batch.toByteArray()).toByteArray());
        ProtoRollup rollupAgain = ProtoRollup.parseFrom(ProtoRollup.parseFrom(rollup.toByteArray()).toByteArray());

        assertThat(batchAgain.getBatch().getParts(0).getUnknownFields()).isEqualTo(future);
        assertThat(batchAgain).isEqualTo(batch);
        assertThat(rollupAgain.getWritersOrThrow(ProtoFixtures.WRITER).getUnknownFields()).isEqualTo(future);
        assertThat(rollupAgain.toByteArray()).isEqualTo(rollup.toByteArray());
    }

    @Test
    void unknownOneofVariantsAndEnumValuesSurvive() throws IOException {
        // A newer part kind (number 16, unknown to us) and a newer run order (value 9).
        byte[] newerPart = encode(out -> {
            out.writeString(16, "some-new-kind");
            out.writeUInt64(2, 77);
        });
        ProtoHollowBatchPart part = ProtoHollowBatchPart.parseFrom(newerPart);
        assertThat(part.getKindCase()).isEqualTo(ProtoHollowBatchPart.KindCase.KIND_NOT_SET);
        assertThat(part.getEncodedSizeBytes()).isEqualTo(77);
        assertThat(ProtoHollowBatchPart.parseFrom(part.toByteArray()).getUnknownFields().hasField(16)).isTrue();

        byte[] newerBatch = encode(out -> {
            out.writeUInt64(3, 1);
            out.writeBytes(6, ByteString.copyFrom(encode(meta -> meta.writeEnum(1, 9))));
        });
        ProtoHollowBatch batch = ProtoHollowBatch.parseFrom(ProtoHollowBatch.parseFrom(newerBatch).toByteArray());
        assertThat(batch.getRunMeta(0).getOrder()).isEqualTo(ProtoRunOrder.UNRECOGNIZED);
        assertThat(batch.getRunMeta(0).getOrderValue()).isEqualTo(9);
    }

    // ---- wire numbers from hand-written bytes ----------------------------------------------------------------------

    interface Writes {
        void to(CodedOutputStream out) throws IOException;
    }

    private static byte[] encode(Writes writes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writes.to(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static ByteString message(Writes writes) throws IOException {
        return ByteString.copyFrom(encode(writes));
    }

    /** A state.proto ProtoU64Antichain with one element, written unpacked (decoders accept both forms). */
    private static ByteString antichain(long element) throws IOException {
        return message(out -> out.writeInt64(1, element));
    }

    /** A state.proto ProtoU64Description (lower=1, upper=2, since=3). */
    private static ByteString description(long lower, long upper, long since) throws IOException {
        ByteString l = antichain(lower);
        ByteString u = antichain(upper);
        ByteString s = antichain(since);
        return message(out -> {
            out.writeBytes(1, l);
            out.writeBytes(2, u);
            out.writeBytes(3, s);
        });
    }

    @Test
    void hollowBatchPartWireNumbers() throws IOException {
        ByteString tsRewrite = antichain(5);
        ByteString metadataEntry = message(e -> {
            e.writeString(1, "mk");
            e.writeBytes(2, ByteString.copyFromUtf8("mv"));
        });
        ProtoHollowBatchPart blob = ProtoHollowBatchPart.parseFrom(encode(out -> {
            out.writeString(1, "n0000100/p1");
            out.writeUInt64(2, 4096);
            out.writeBytes(3, ByteString.copyFromUtf8("klow"));
            out.writeBytes(4, tsRewrite);
            out.writeInt64(6, -3);
            out.writeBytes(7, ByteString.EMPTY);
            out.writeUInt64(9, 11);
            out.writeBytes(10, ByteString.copyFromUtf8("sklow"));
            out.writeUInt64(12, 12);
            out.writeBytes(14, metadataEntry);
            out.writeString(15, "s-source");
            out.writeBytes(536870906, ByteString.copyFromUtf8("stats"));
        }));
        assertThat(blob.getUnknownFields().asMap()).isEmpty();
        assertThat(blob.getKindCase()).isEqualTo(ProtoHollowBatchPart.KindCase.KEY);
        assertThat(blob.getKey()).isEqualTo("n0000100/p1");
        assertThat(blob.getEncodedSizeBytes()).isEqualTo(4096);
        assertThat(blob.getKeyLower().toStringUtf8()).isEqualTo("klow");
        assertThat(blob.getTsRewrite().getElementsList()).containsExactly(5L);
        assertThat(blob.hasDiffsSum()).isTrue();
        assertThat(blob.getDiffsSum()).isEqualTo(-3);
        assertThat(blob.getFormatCase()).isEqualTo(ProtoHollowBatchPart.FormatCase.ROW);
        assertThat(blob.getDeprecatedSchemaId()).isEqualTo(11);
        assertThat(blob.getStructuredKeyLower().toStringUtf8()).isEqualTo("sklow");
        assertThat(blob.getSchemaId()).isEqualTo(12);
        assertThat(blob.getMetadataMap()).containsExactly(Map.entry("mk", ByteString.copyFromUtf8("mv")));
        assertThat(blob.getSourceShard()).isEqualTo("s-source");
        assertThat(blob.getKeyStats().toStringUtf8()).isEqualTo("stats");

        ProtoHollowBatchPart inline = ProtoHollowBatchPart.parseFrom(encode(out -> {
            out.writeBytes(5, ByteString.copyFromUtf8("inline-bytes"));
            out.writeUInt64(8, 2);
        }));
        assertThat(inline.getUnknownFields().asMap()).isEmpty();
        assertThat(inline.getKindCase()).isEqualTo(ProtoHollowBatchPart.KindCase.INLINE);
        assertThat(inline.getInline().toStringUtf8()).isEqualTo("inline-bytes");
        assertThat(inline.getFormatCase()).isEqualTo(ProtoHollowBatchPart.FormatCase.ROW_AND_COLUMNAR);
        assertThat(inline.getRowAndColumnar()).isEqualTo(2);

        ByteString runRef = message(r -> {
            r.writeString(1, "n0000100/p2");
            r.writeUInt64(2, 99);
        });
        ProtoHollowBatchPart run = ProtoHollowBatchPart.parseFrom(encode(out -> {
            out.writeBytes(11, runRef);
            out.writeBytes(13, ByteString.EMPTY);
        }));
        assertThat(run.getUnknownFields().asMap()).isEmpty();
        assertThat(run.getKindCase()).isEqualTo(ProtoHollowBatchPart.KindCase.RUN_REF);
        assertThat(run.getRunRef().getKey()).isEqualTo("n0000100/p2");
        assertThat(run.getRunRef().getMaxPartBytes()).isEqualTo(99);
        assertThat(run.getFormatCase()).isEqualTo(ProtoHollowBatchPart.FormatCase.STRUCTURED);
        assertThat(run.getStructured()).isEqualTo(Empty.getDefaultInstance());

        // and in the other direction: our encoder uses the same tags
        assertThat(ProtoHollowBatchPart.newBuilder().setKey("k").build().toByteArray())
                .isEqualTo(encode(out -> out.writeString(1, "k")));
        assertThat(ProtoHollowBatchPart.newBuilder().setKeyStats(ByteString.copyFromUtf8("s")).build().toByteArray())
                .isEqualTo(encode(out -> out.writeBytes(536870906, ByteString.copyFromUtf8("s"))));
    }

    @Test
    void hollowBatchWireNumbers() throws IOException {
        ByteString desc = description(0, 10, 0);
        ByteString part = message(p -> p.writeString(1, "n0000100/p1"));
        ByteString runMeta = message(m -> {
            m.writeEnum(1, 2);
            m.writeUInt64(2, 4);
            m.writeUInt64(3, 5);
            m.writeString(4, "ri1");
            m.writeUInt64(5, 6);
        });
        ProtoHollowBatch batch = ProtoHollowBatch.parseFrom(encode(out -> {
            out.writeBytes(1, desc);
            out.writeString(2, "old-key");
            out.writeUInt64(3, 42);
            out.writeBytes(4, part);
            out.writeBytes(4, part);
            // runs, packed as proto3 writers emit repeated scalars
            out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(1);
            out.writeUInt64NoTag(1);
            out.writeBytes(6, runMeta);
        }));
        assertThat(batch.getUnknownFields().asMap()).isEmpty();
        assertThat(batch.getDesc().getLower().getElementsList()).containsExactly(0L);
        assertThat(batch.getDesc().getUpper().getElementsList()).containsExactly(10L);
        assertThat(batch.getDesc().getSince().getElementsList()).containsExactly(0L);
        assertThat(batch.getDeprecatedKeysList()).containsExactly("old-key");
        assertThat(batch.getLen()).isEqualTo(42);
        assertThat(batch.getPartsList()).extracting(ProtoHollowBatchPart::getKey)
                .containsExactly("n0000100/p1", "n0000100/p1");
        assertThat(batch.getRunsList()).containsExactly(1L);
        assertThat(batch.getRunMeta(0).getOrder()).isEqualTo(ProtoRunOrder.CODEC);
        assertThat(batch.getRunMeta(0).getDeprecatedSchemaId()).isEqualTo(4);
        assertThat(batch.getRunMeta(0).getSchemaId()).isEqualTo(5);
        assertThat(batch.getRunMeta(0).getId()).isEqualTo("ri1");
        assertThat(batch.getRunMeta(0).getLen()).isEqualTo(6);
    }

    @Test
    void batchWireNumbers() throws IOException {
        ByteString hollow = message(h -> h.writeUInt64(3, 7));
        ProtoBatch batch = ProtoBatch.parseFrom(encode(out -> {
            out.writeString(1, ProtoFixtures.SHARD);
            out.writeString(2, "0.1.0");
            out.writeBytes(3, hollow);
        }));
        assertThat(batch.getUnknownFields().asMap()).isEmpty();
        assertThat(batch.getShardId()).isEqualTo(ProtoFixtures.SHARD);
        assertThat(batch.getVersion()).isEqualTo("0.1.0");
        assertThat(batch.getBatch().getLen()).isEqualTo(7);
    }

    @Test
    void batchPartInlineWireNumbers() throws IOException {
        // persist.proto's antichain is uint64: u64::MAX is a 10-byte varint
        ByteString upper = message(a -> a.writeUInt64(1, -1L));
        ByteString desc = message(d -> d.writeBytes(2, upper));
        ProtoBatchPartInline inline = ProtoBatchPartInline.parseFrom(encode(out -> {
            out.writeEnum(5, 3);
            out.writeBytes(2, desc);
            out.writeUInt64(6, 4);
            out.writeUInt64(7, 3);
        }));
        assertThat(inline.getUnknownFields().asMap()).isEmpty();
        assertThat(inline.getFormat()).isEqualTo(ProtoBatchFormat.ParquetStructured);
        assertThat(inline.getDesc().getUpper().getElementsList()).containsExactly(-1L);
        assertThat(inline.getIndex()).isEqualTo(4);
        assertThat(inline.getFormatMetadataCase())
                .isEqualTo(ProtoBatchPartInline.FormatMetadataCase.STRUCTURED_MIGRATION);
        assertThat(inline.getStructuredMigration()).isEqualTo(3);

        // the numbers persist retired stay retired
        assertThat(ProtoBatchPartInline.getDescriptor().getFields()).extracting(FieldDescriptor::getNumber)
                .doesNotContain(1, 3, 4);
    }

    @Test
    void enumNumbers() {
        assertThat(ProtoBatchFormat.Unknown.getNumber()).isZero();
        assertThat(ProtoBatchFormat.ArrowKVTD.getNumber()).isEqualTo(1);
        assertThat(ProtoBatchFormat.ParquetKvtd.getNumber()).isEqualTo(2);
        assertThat(ProtoBatchFormat.ParquetStructured.getNumber()).isEqualTo(3);
        assertThat(ProtoRunOrder.UNKNOWN.getNumber()).isZero();
        assertThat(ProtoRunOrder.UNORDERED.getNumber()).isEqualTo(1);
        assertThat(ProtoRunOrder.CODEC.getNumber()).isEqualTo(2);
        assertThat(ProtoRunOrder.STRUCTURED.getNumber()).isEqualTo(3);
    }

    // ---- the whole schema, pinned ----------------------------------------------------------------------------------

    /**
     * One line per field and enum value of every file. Changing a number, a type, a label or a name shows up here;
     * compare with persist-facts.md §1 and docs/format.md before updating this list.
     */
    private static final String SCHEMA = """
            file mz_persist/persist.proto package mz_persist.gen.persist
            mz_persist.gen.persist.ProtoBatchFormat.Unknown = 0
            mz_persist.gen.persist.ProtoBatchFormat.ArrowKVTD = 1
            mz_persist.gen.persist.ProtoBatchFormat.ParquetKvtd = 2
            mz_persist.gen.persist.ProtoBatchFormat.ParquetStructured = 3
            mz_persist.gen.persist.ProtoU64Antichain.elements = 1 repeated uint64
            mz_persist.gen.persist.ProtoU64Description.lower = 1 mz_persist.gen.persist.ProtoU64Antichain
            mz_persist.gen.persist.ProtoU64Description.upper = 2 mz_persist.gen.persist.ProtoU64Antichain
            mz_persist.gen.persist.ProtoU64Description.since = 3 mz_persist.gen.persist.ProtoU64Antichain
            mz_persist.gen.persist.ProtoBatchPartInline.format = 5 mz_persist.gen.persist.ProtoBatchFormat
            mz_persist.gen.persist.ProtoBatchPartInline.desc = 2 mz_persist.gen.persist.ProtoU64Description
            mz_persist.gen.persist.ProtoBatchPartInline.index = 6 uint64
            mz_persist.gen.persist.ProtoBatchPartInline.structured_migration = 7 uint64 oneof format_metadata
            mz_persist.gen.persist.ProtoBatchPartInline reserved 1..1
            mz_persist.gen.persist.ProtoBatchPartInline reserved 3..3
            mz_persist.gen.persist.ProtoBatchPartInline reserved 4..4
            mz_persist.gen.persist.ProtoColumnarRecords.len = 1 uint64
            mz_persist.gen.persist.ProtoColumnarRecords.key_offsets = 2 repeated int32
            mz_persist.gen.persist.ProtoColumnarRecords.key_data = 3 bytes
            mz_persist.gen.persist.ProtoColumnarRecords.val_offsets = 4 repeated int32
            mz_persist.gen.persist.ProtoColumnarRecords.val_data = 5 bytes
            mz_persist.gen.persist.ProtoColumnarRecords.timestamps = 6 repeated int64
            mz_persist.gen.persist.ProtoColumnarRecords.diffs = 7 repeated int64
            mz_persist.gen.persist.ProtoColumnarRecords.key_structured = 8 mz_persist.gen.persist.ProtoArrayData
            mz_persist.gen.persist.ProtoColumnarRecords.val_structured = 9 mz_persist.gen.persist.ProtoArrayData
            file mz_persist_client/internal/state.proto package mz_persist_client.internal.state
            mz_persist_client.internal.state.ProtoRunOrder.UNKNOWN = 0
            mz_persist_client.internal.state.ProtoRunOrder.UNORDERED = 1
            mz_persist_client.internal.state.ProtoRunOrder.CODEC = 2
            mz_persist_client.internal.state.ProtoRunOrder.STRUCTURED = 3
            mz_persist_client.internal.state.ProtoU64Antichain.elements = 1 repeated int64
            mz_persist_client.internal.state.ProtoU64Description.lower = 1 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoU64Description.upper = 2 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoU64Description.since = 3 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoHollowBatchPart.key = 1 string oneof kind
            mz_persist_client.internal.state.ProtoHollowBatchPart.inline = 5 bytes oneof kind
            mz_persist_client.internal.state.ProtoHollowBatchPart.run_ref = 11 mz_persist_client.internal.state.ProtoHollowRunRef oneof kind
            mz_persist_client.internal.state.ProtoHollowBatchPart.encoded_size_bytes = 2 uint64
            mz_persist_client.internal.state.ProtoHollowBatchPart.key_lower = 3 bytes
            mz_persist_client.internal.state.ProtoHollowBatchPart.ts_rewrite = 4 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoHollowBatchPart.diffs_sum = 6 int64 optional
            mz_persist_client.internal.state.ProtoHollowBatchPart.row = 7 google.protobuf.Empty oneof format
            mz_persist_client.internal.state.ProtoHollowBatchPart.row_and_columnar = 8 uint64 oneof format
            mz_persist_client.internal.state.ProtoHollowBatchPart.structured = 13 google.protobuf.Empty oneof format
            mz_persist_client.internal.state.ProtoHollowBatchPart.deprecated_schema_id = 9 uint64 optional
            mz_persist_client.internal.state.ProtoHollowBatchPart.structured_key_lower = 10 bytes optional
            mz_persist_client.internal.state.ProtoHollowBatchPart.schema_id = 12 uint64 optional
            mz_persist_client.internal.state.ProtoHollowBatchPart.metadata = 14 map<string, bytes>
            mz_persist_client.internal.state.ProtoHollowBatchPart.source_shard = 15 string optional
            mz_persist_client.internal.state.ProtoHollowBatchPart.key_stats = 536870906 bytes optional
            mz_persist_client.internal.state.ProtoHollowBatchPart reserved 536870907..536870911
            mz_persist_client.internal.state.ProtoInlineBatchPart.desc = 1 mz_persist_client.internal.state.ProtoU64Description
            mz_persist_client.internal.state.ProtoInlineBatchPart.index = 2 uint64
            mz_persist_client.internal.state.ProtoInlineBatchPart.updates = 3 mz_persist.gen.persist.ProtoColumnarRecords
            mz_persist_client.internal.state.ProtoHollowRunRef.key = 1 string
            mz_persist_client.internal.state.ProtoHollowRunRef.max_part_bytes = 2 uint64
            mz_persist_client.internal.state.ProtoHollowRun.parts = 4 repeated mz_persist_client.internal.state.ProtoHollowBatchPart
            mz_persist_client.internal.state.ProtoRunMeta.order = 1 mz_persist_client.internal.state.ProtoRunOrder
            mz_persist_client.internal.state.ProtoRunMeta.deprecated_schema_id = 2 uint64 optional
            mz_persist_client.internal.state.ProtoRunMeta.schema_id = 3 uint64 optional
            mz_persist_client.internal.state.ProtoRunMeta.id = 4 string optional
            mz_persist_client.internal.state.ProtoRunMeta.len = 5 uint64 optional
            mz_persist_client.internal.state.ProtoRunMeta.meta = 6 map<string, bytes>
            mz_persist_client.internal.state.ProtoHollowBatch.desc = 1 mz_persist_client.internal.state.ProtoU64Description
            mz_persist_client.internal.state.ProtoHollowBatch.deprecated_keys = 2 repeated string
            mz_persist_client.internal.state.ProtoHollowBatch.len = 3 uint64
            mz_persist_client.internal.state.ProtoHollowBatch.parts = 4 repeated mz_persist_client.internal.state.ProtoHollowBatchPart
            mz_persist_client.internal.state.ProtoHollowBatch.runs = 5 repeated uint64
            mz_persist_client.internal.state.ProtoHollowBatch.run_meta = 6 repeated mz_persist_client.internal.state.ProtoRunMeta
            mz_persist_client.internal.state.ProtoSpineId.lo = 1 uint64
            mz_persist_client.internal.state.ProtoSpineId.hi = 2 uint64
            mz_persist_client.internal.state.ProtoIdHollowBatch.id = 1 mz_persist_client.internal.state.ProtoSpineId
            mz_persist_client.internal.state.ProtoIdHollowBatch.batch = 2 mz_persist_client.internal.state.ProtoHollowBatch
            mz_persist_client.internal.state.ProtoSpineBatch.level = 1 uint64
            mz_persist_client.internal.state.ProtoSpineBatch.desc = 2 mz_persist_client.internal.state.ProtoU64Description
            mz_persist_client.internal.state.ProtoSpineBatch.parts = 3 repeated mz_persist_client.internal.state.ProtoSpineId
            mz_persist_client.internal.state.ProtoSpineBatch.descs = 4 repeated mz_persist_client.internal.state.ProtoU64Description
            mz_persist_client.internal.state.ProtoIdSpineBatch.id = 1 mz_persist_client.internal.state.ProtoSpineId
            mz_persist_client.internal.state.ProtoIdSpineBatch.batch = 2 mz_persist_client.internal.state.ProtoSpineBatch
            mz_persist_client.internal.state.ProtoCompaction.start_ms = 1 uint64
            mz_persist_client.internal.state.ProtoMerge.since = 1 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoMerge.remaining_work = 2 uint64
            mz_persist_client.internal.state.ProtoMerge.active_compaction = 3 mz_persist_client.internal.state.ProtoCompaction optional
            mz_persist_client.internal.state.ProtoIdMerge.id = 1 mz_persist_client.internal.state.ProtoSpineId
            mz_persist_client.internal.state.ProtoIdMerge.merge = 2 mz_persist_client.internal.state.ProtoMerge
            mz_persist_client.internal.state.ProtoTrace.since = 1 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoTrace.legacy_batches = 2 repeated mz_persist_client.internal.state.ProtoHollowBatch
            mz_persist_client.internal.state.ProtoTrace.hollow_batches = 3 repeated mz_persist_client.internal.state.ProtoIdHollowBatch
            mz_persist_client.internal.state.ProtoTrace.spine_batches = 4 repeated mz_persist_client.internal.state.ProtoIdSpineBatch
            mz_persist_client.internal.state.ProtoTrace.merges = 5 repeated mz_persist_client.internal.state.ProtoIdMerge
            mz_persist_client.internal.state.ProtoHollowRollup.key = 1 string
            mz_persist_client.internal.state.ProtoHollowRollup.encoded_size_bytes = 2 uint64 optional
            mz_persist_client.internal.state.ProtoActiveRollup.seqno = 1 uint64
            mz_persist_client.internal.state.ProtoActiveRollup.start_ms = 2 uint64
            mz_persist_client.internal.state.ProtoActiveGC.seqno = 1 uint64
            mz_persist_client.internal.state.ProtoActiveGC.start_ms = 2 uint64
            mz_persist_client.internal.state.ProtoLeasedReaderState.since = 1 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoLeasedReaderState.seqno = 2 uint64
            mz_persist_client.internal.state.ProtoLeasedReaderState.last_heartbeat_timestamp_ms = 3 uint64
            mz_persist_client.internal.state.ProtoLeasedReaderState.lease_duration_ms = 4 uint64
            mz_persist_client.internal.state.ProtoLeasedReaderState.debug = 5 mz_persist_client.internal.state.ProtoHandleDebugState
            mz_persist_client.internal.state.ProtoCriticalReaderState.since = 1 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoCriticalReaderState.opaque = 2 int64
            mz_persist_client.internal.state.ProtoCriticalReaderState.opaque_codec = 3 string
            mz_persist_client.internal.state.ProtoCriticalReaderState.debug = 4 mz_persist_client.internal.state.ProtoHandleDebugState
            mz_persist_client.internal.state.ProtoWriterState.last_heartbeat_timestamp_ms = 1 uint64
            mz_persist_client.internal.state.ProtoWriterState.lease_duration_ms = 2 uint64
            mz_persist_client.internal.state.ProtoWriterState.most_recent_write_token = 3 string
            mz_persist_client.internal.state.ProtoWriterState.most_recent_write_upper = 4 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.internal.state.ProtoWriterState.debug = 5 mz_persist_client.internal.state.ProtoHandleDebugState
            mz_persist_client.internal.state.ProtoHandleDebugState.hostname = 1 string
            mz_persist_client.internal.state.ProtoHandleDebugState.purpose = 2 string
            mz_persist_client.internal.state.ProtoRetainedPartsState.keys = 1 repeated string
            mz_persist_client.internal.state.ProtoRetainedPartsState.debug = 2 mz_persist_client.internal.state.ProtoHandleDebugState
            mz_persist_client.internal.state.ProtoVersionedData.seqno = 1 uint64
            mz_persist_client.internal.state.ProtoVersionedData.data = 2 bytes
            mz_persist_client.internal.state.ProtoInlinedDiffs.lower = 1 uint64
            mz_persist_client.internal.state.ProtoInlinedDiffs.upper = 2 uint64
            mz_persist_client.internal.state.ProtoInlinedDiffs.diffs = 3 repeated mz_persist_client.internal.state.ProtoVersionedData
            mz_persist_client.internal.state.ProtoEncodedSchemas.key = 1 bytes
            mz_persist_client.internal.state.ProtoEncodedSchemas.val = 2 bytes
            mz_persist_client.internal.state.ProtoEncodedSchemas.key_data_type = 3 bytes
            mz_persist_client.internal.state.ProtoEncodedSchemas.val_data_type = 4 bytes
            mz_persist_client.internal.state.ProtoRollup.applier_version = 11 string
            mz_persist_client.internal.state.ProtoRollup.shard_id = 1 string
            mz_persist_client.internal.state.ProtoRollup.key_codec = 2 string
            mz_persist_client.internal.state.ProtoRollup.val_codec = 3 string
            mz_persist_client.internal.state.ProtoRollup.ts_codec = 4 string
            mz_persist_client.internal.state.ProtoRollup.diff_codec = 5 string
            mz_persist_client.internal.state.ProtoRollup.seqno = 6 uint64
            mz_persist_client.internal.state.ProtoRollup.walltime_ms = 15 uint64
            mz_persist_client.internal.state.ProtoRollup.hostname = 14 string
            mz_persist_client.internal.state.ProtoRollup.last_gc_req = 10 uint64
            mz_persist_client.internal.state.ProtoRollup.rollups = 16 map<uint64, mz_persist_client.internal.state.ProtoHollowRollup>
            mz_persist_client.internal.state.ProtoRollup.deprecated_rollups = 12 map<uint64, string>
            mz_persist_client.internal.state.ProtoRollup.trace = 7 mz_persist_client.internal.state.ProtoTrace
            mz_persist_client.internal.state.ProtoRollup.leased_readers = 8 map<string, mz_persist_client.internal.state.ProtoLeasedReaderState>
            mz_persist_client.internal.state.ProtoRollup.critical_readers = 13 map<string, mz_persist_client.internal.state.ProtoCriticalReaderState>
            mz_persist_client.internal.state.ProtoRollup.writers = 9 map<string, mz_persist_client.internal.state.ProtoWriterState>
            mz_persist_client.internal.state.ProtoRollup.schemas = 18 map<uint64, mz_persist_client.internal.state.ProtoEncodedSchemas>
            mz_persist_client.internal.state.ProtoRollup.diffs = 17 mz_persist_client.internal.state.ProtoInlinedDiffs optional
            mz_persist_client.internal.state.ProtoRollup.active_rollup = 19 mz_persist_client.internal.state.ProtoActiveRollup optional
            mz_persist_client.internal.state.ProtoRollup.active_gc = 20 mz_persist_client.internal.state.ProtoActiveGC optional
            mz_persist_client.internal.state.ProtoRollup.retained_parts = 21 map<string, mz_persist_client.internal.state.ProtoRetainedPartsState>
            mz_persist_client.internal.state.ProtoRollup.committed_checkpoints = 100000 map<string, uint64>
            mz_persist_client.internal.state.ProtoRollup.commit_markers = 100001 map<string, mz_persist_client.internal.state.ProtoCommitMarker>
            mz_persist_client.internal.state.ProtoRollup.integrity = 262144015 flinkpersist.state.ProtoStateIntegrity
            mz_persist_client.internal.state.ProtoCommitMarker.checkpoint_id = 1 uint64
            mz_persist_client.internal.state.ProtoCommitMarker.last_recorded_ms = 2 uint64
            mz_persist_client.internal.state.ProtoCommitMarker.retention_ms = 3 uint64
            file mz_persist_client/batch.proto package mz_persist_client.batch
            mz_persist_client.batch.ProtoBatch.shard_id = 1 string
            mz_persist_client.batch.ProtoBatch.version = 2 string
            mz_persist_client.batch.ProtoBatch.batch = 3 mz_persist_client.internal.state.ProtoHollowBatch
            mz_persist_client.batch.ProtoBatch.batch_crc32c = 100000 fixed32 optional
            mz_persist_client.batch.ProtoBatch reserved 4..4
            mz_persist_client.batch.ProtoLeasedBatchPart.shard_id = 1 string
            mz_persist_client.batch.ProtoLeasedBatchPart.filter = 2 mz_persist_client.batch.ProtoFetchBatchFilter
            mz_persist_client.batch.ProtoLeasedBatchPart.desc = 3 mz_persist_client.internal.state.ProtoU64Description
            mz_persist_client.batch.ProtoLeasedBatchPart.part = 4 mz_persist_client.internal.state.ProtoHollowBatchPart
            mz_persist_client.batch.ProtoLeasedBatchPart.lease = 5 mz_persist_client.batch.ProtoLease
            mz_persist_client.batch.ProtoLeasedBatchPart.filter_pushdown_audit = 6 bool
            mz_persist_client.batch.ProtoFetchBatchFilter.snapshot = 1 mz_persist_client.internal.state.ProtoU64Antichain oneof kind
            mz_persist_client.batch.ProtoFetchBatchFilter.listen = 2 mz_persist_client.batch.ProtoFetchBatchFilterListen oneof kind
            mz_persist_client.batch.ProtoFetchBatchFilterListen.as_of = 1 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.batch.ProtoFetchBatchFilterListen.lower = 2 mz_persist_client.internal.state.ProtoU64Antichain
            mz_persist_client.batch.ProtoLease.reader_id = 1 string
            mz_persist_client.batch.ProtoLease.seqno = 2 uint64 optional
            file mz_persist_client/internal/diff.proto package mz_persist_client.internal.diff
            mz_persist_client.internal.diff.ProtoStateFieldDiffType.INSERT = 0
            mz_persist_client.internal.diff.ProtoStateFieldDiffType.UPDATE = 1
            mz_persist_client.internal.diff.ProtoStateFieldDiffType.DELETE = 2
            mz_persist_client.internal.diff.ProtoStateField.DEPRECATED_ROLLUPS = 0
            mz_persist_client.internal.diff.ProtoStateField.LAST_GC_REQ = 1
            mz_persist_client.internal.diff.ProtoStateField.LEASED_READERS = 2
            mz_persist_client.internal.diff.ProtoStateField.WRITERS = 3
            mz_persist_client.internal.diff.ProtoStateField.SINCE = 4
            mz_persist_client.internal.diff.ProtoStateField.LEGACY_BATCHES = 5
            mz_persist_client.internal.diff.ProtoStateField.CRITICAL_READERS = 6
            mz_persist_client.internal.diff.ProtoStateField.HOSTNAME = 7
            mz_persist_client.internal.diff.ProtoStateField.ROLLUPS = 8
            mz_persist_client.internal.diff.ProtoStateField.HOLLOW_BATCHES = 9
            mz_persist_client.internal.diff.ProtoStateField.SPINE_BATCHES = 10
            mz_persist_client.internal.diff.ProtoStateField.SPINE_MERGES = 11
            mz_persist_client.internal.diff.ProtoStateField.SCHEMAS = 12
            mz_persist_client.internal.diff.ProtoStateField.ACTIVE_ROLLUP = 13
            mz_persist_client.internal.diff.ProtoStateField.ACTIVE_GC = 14
            mz_persist_client.internal.diff.ProtoStateField.RETAINED_PARTS = 15
            mz_persist_client.internal.diff.ProtoStateField.COMMIT_MARKERS = 100001
            mz_persist_client.internal.diff.ProtoStateDiff.applier_version = 1 string
            mz_persist_client.internal.diff.ProtoStateDiff.seqno_from = 2 uint64
            mz_persist_client.internal.diff.ProtoStateDiff.seqno_to = 3 uint64
            mz_persist_client.internal.diff.ProtoStateDiff.walltime_ms = 6 uint64
            mz_persist_client.internal.diff.ProtoStateDiff.latest_rollup_key = 4 string
            mz_persist_client.internal.diff.ProtoStateDiff.field_diffs = 5 mz_persist_client.internal.diff.ProtoStateFieldDiffs
            mz_persist_client.internal.diff.ProtoStateDiff.integrity = 262144015 flinkpersist.state.ProtoStateIntegrity
            mz_persist_client.internal.diff.ProtoStateFieldDiffs.fields = 1 repeated mz_persist_client.internal.diff.ProtoStateField
            mz_persist_client.internal.diff.ProtoStateFieldDiffs.diff_types = 2 repeated mz_persist_client.internal.diff.ProtoStateFieldDiffType
            mz_persist_client.internal.diff.ProtoStateFieldDiffs.data_lens = 3 repeated uint64
            mz_persist_client.internal.diff.ProtoStateFieldDiffs.data_bytes = 4 bytes
            file mz_persist_types/stats.proto package mz_persist_types.stats
            mz_persist_types.stats.ProtoStructStats.len = 1 uint64
            mz_persist_types.stats.ProtoStructStats.cols = 2 map<string, mz_persist_types.stats.ProtoDynStats>
            mz_persist_types.stats.ProtoDynStats.option = 1 mz_persist_types.stats.ProtoOptionStats optional
            mz_persist_types.stats.ProtoDynStats.struct = 2 mz_persist_types.stats.ProtoStructStats oneof kind
            mz_persist_types.stats.ProtoDynStats.primitive = 3 mz_persist_types.stats.ProtoPrimitiveStats oneof kind
            mz_persist_types.stats.ProtoDynStats.bytes = 4 mz_persist_types.stats.ProtoBytesStats oneof kind
            mz_persist_types.stats.ProtoOptionStats.none = 1 uint64
            mz_persist_types.stats.ProtoPrimitiveStats.lower_bool = 1 bool oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_u8 = 2 uint32 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_u16 = 3 uint32 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_u32 = 4 uint32 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_u64 = 5 uint64 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_i8 = 6 int32 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_i16 = 7 int32 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_i32 = 8 int32 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_i64 = 9 int64 oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_f32 = 10 float oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_f64 = 11 double oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_bytes = 12 bytes oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.lower_string = 13 string oneof lower
            mz_persist_types.stats.ProtoPrimitiveStats.upper_bool = 14 bool oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_u8 = 15 uint32 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_u16 = 16 uint32 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_u32 = 17 uint32 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_u64 = 18 uint64 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_i8 = 19 int32 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_i16 = 20 int32 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_i32 = 21 int32 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_i64 = 22 int64 oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_f32 = 23 float oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_f64 = 24 double oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_bytes = 25 bytes oneof upper
            mz_persist_types.stats.ProtoPrimitiveStats.upper_string = 26 string oneof upper
            mz_persist_types.stats.ProtoJsonStats.json_nulls = 1 uint64
            mz_persist_types.stats.ProtoJsonStats.none = 2 google.protobuf.Empty oneof values
            mz_persist_types.stats.ProtoJsonStats.mixed = 3 google.protobuf.Empty oneof values
            mz_persist_types.stats.ProtoJsonStats.bools = 4 mz_persist_types.stats.ProtoPrimitiveStats oneof values
            mz_persist_types.stats.ProtoJsonStats.strings = 5 mz_persist_types.stats.ProtoPrimitiveStats oneof values
            mz_persist_types.stats.ProtoJsonStats.numerics = 6 mz_persist_types.stats.ProtoPrimitiveStats oneof values
            mz_persist_types.stats.ProtoJsonStats.lists = 7 google.protobuf.Empty oneof values
            mz_persist_types.stats.ProtoJsonStats.maps = 8 mz_persist_types.stats.ProtoJsonMapStats oneof values
            mz_persist_types.stats.ProtoJsonMapStats.elements = 1 map<string, mz_persist_types.stats.ProtoJsonStats>
            mz_persist_types.stats.ProtoBytesStats.primitive = 1 mz_persist_types.stats.ProtoPrimitiveStats oneof kind
            mz_persist_types.stats.ProtoBytesStats.json = 2 mz_persist_types.stats.ProtoJsonStats oneof kind
            """;

    private static String schemaOf(FileDescriptor file) {
        StringBuilder out = new StringBuilder();
        out.append("file ").append(file.getName()).append(" package ").append(file.getPackage()).append('\n');
        for (EnumDescriptor e : file.getEnumTypes()) {
            for (EnumValueDescriptor v : e.getValues()) {
                out.append(e.getFullName()).append('.').append(v.getName()).append(" = ").append(v.getNumber())
                        .append('\n');
            }
        }
        for (Descriptor d : file.getMessageTypes()) {
            for (FieldDescriptor f : d.getFields()) {
                out.append(d.getFullName()).append('.').append(f.getName()).append(" = ").append(f.getNumber())
                        .append(' ').append(typeOf(f));
                OneofDescriptor oneof = f.getRealContainingOneof();
                if (oneof != null) {
                    out.append(" oneof ").append(oneof.getName());
                } else if (f.toProto().getProto3Optional()) {
                    out.append(" optional");
                }
                out.append('\n');
            }
            for (Range r : reservedRanges(d)) {
                out.append(d.getFullName()).append(" reserved ").append(r.start).append("..").append(r.endInclusive)
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String typeOf(FieldDescriptor f) {
        if (f.isMapField()) {
            Descriptor entry = f.getMessageType();
            return "map<" + typeOf(entry.findFieldByNumber(1)) + ", " + typeOf(entry.findFieldByNumber(2)) + ">";
        }
        String base = switch (f.getJavaType()) {
            case MESSAGE -> f.getMessageType().getFullName();
            case ENUM -> f.getEnumType().getFullName();
            default -> f.getType().name().toLowerCase();
        };
        return f.isRepeated() ? "repeated " + base : base;
    }

    private record Range(int start, int endInclusive) {
    }

    private static List<Range> reservedRanges(Descriptor d) {
        return d.toProto().getReservedRangeList().stream().map(r -> new Range(r.getStart(), r.getEnd() - 1)).toList();
    }

    @Test
    void schemaIsPinned() {
        String actual = FILES.stream().map(ProtoRoundTripTest::schemaOf).collect(Collectors.joining());
        assertThat(actual).isEqualTo(SCHEMA);
    }
}
