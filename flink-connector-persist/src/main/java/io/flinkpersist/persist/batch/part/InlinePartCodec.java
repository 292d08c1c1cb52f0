package io.flinkpersist.persist.batch.part;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.flinkpersist.persist.proto.state.ProtoInlineBatchPart;
import io.flinkpersist.persist.time.FrontierProtos;
import java.io.IOException;

/**
 * A part small enough to live in state instead of blob: the encoded {@code ProtoInlineBatchPart} that
 * {@code ProtoHollowBatchPart.inline} holds. The same part rules apply as for Parquet parts.
 */
public final class InlinePartCodec {
    private InlinePartCodec() {}

    /**
     * Validates and encodes a part.
     *
     * @throws InvalidPartException if the part breaks a part rule
     */
    public static ByteString encode(BlobTraceBatchPart part) {
        part.validate();
        return ProtoInlineBatchPart.newBuilder()
                .setDesc(FrontierProtos.toStateDescription(part.desc()))
                .setIndex(part.index())
                .setUpdates(part.updates().toProto())
                .build()
                .toByteString();
    }

    /**
     * Decodes and validates an inline part.
     *
     * @param part where the bytes come from, for error messages (an inline part has no blob key)
     * @throws PartDecodeException if the bytes are not a valid inline part
     */
    public static BlobTraceBatchPart decode(String part, ByteString bytes) {
        ProtoInlineBatchPart proto;
        try {
            CodedInputStream input = bytes.newCodedInput();
            // The byte columns may then share the input's memory; fromProto copies them once into its own arrays.
            input.enableAliasing(true);
            proto = ProtoInlineBatchPart.parseFrom(input);
        } catch (IOException e) {
            throw new PartDecodeException(part, "not a ProtoInlineBatchPart: " + e.getMessage(), e);
        }
        if (!proto.hasUpdates()) {
            throw new PartDecodeException(part, "ProtoInlineBatchPart has no updates");
        }
        try {
            BlobTraceBatchPart decoded = new BlobTraceBatchPart(
                    FrontierProtos.fromStateDescription(proto.hasDesc() ? proto.getDesc() : null),
                    proto.getIndex(),
                    ColumnarRecords.fromProto(proto.getUpdates()));
            decoded.validate();
            return decoded;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new PartDecodeException(part, e.getMessage(), e);
        }
    }
}
