package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.proto.part.ProtoBatchFormat;
import io.flinkpersist.persist.proto.part.ProtoBatchPartInline;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.FrontierProtos;
import java.io.IOException;
import java.util.Base64;

/**
 * The header of a Parquet part, the {@value ParquetPartCodec#HEADER_KEY} file metadata: a base64
 * {@code ProtoBatchPartInline} with the part's format, description and index.
 */
record PartHeader(Description desc, long index) {
    static String encode(BlobTraceBatchPart part) {
        ProtoBatchPartInline header = ProtoBatchPartInline.newBuilder()
                .setFormat(ProtoBatchFormat.ParquetKvtd)
                .setDesc(FrontierProtos.toPartDescription(part.desc()))
                .setIndex(part.index())
                .build();
        return Base64.getEncoder().encodeToString(header.toByteArray());
    }

    /**
     * Reads a header; only the k, v, t, d format is supported.
     *
     * @param encoded the metadata value, {@code null} if the file has none
     */
    static PartHeader parse(String blobKey, String encoded) {
        String key = ParquetPartCodec.HEADER_KEY;
        if (encoded == null) {
            throw new PartDecodeException(blobKey, "missing batch metadata (no " + key + " file metadata)");
        }
        ProtoBatchPartInline header;
        try {
            header = ProtoBatchPartInline.parseFrom(Base64.getDecoder().decode(encoded));
        } catch (IllegalArgumentException | IOException e) {
            throw new PartDecodeException(blobKey, key + " is not a base64 ProtoBatchPartInline: " + e, e);
        }
        if (header.getFormat() != ProtoBatchFormat.ParquetKvtd) {
            throw new PartDecodeException(blobKey, "unsupported part format " + header.getFormat() + " ("
                    + header.getFormatValue() + "); only ParquetKvtd (k, v, t, d columns) is supported");
        }
        if (header.hasStructuredMigration()) {
            throw new PartDecodeException(blobKey, "ParquetKvtd header carries structured_migration "
                    + header.getStructuredMigration() + ", which only structured formats have");
        }
        if (header.getIndex() < 0) {
            throw new PartDecodeException(blobKey, "part index " + Long.toUnsignedString(header.getIndex())
                    + " in " + key + " is beyond " + Long.MAX_VALUE);
        }
        try {
            // A missing desc reads as all-minimum, which validation then rejects as an empty interval.
            return new PartHeader(FrontierProtos.fromPartDescription(header.hasDesc() ? header.getDesc() : null),
                    header.getIndex());
        } catch (IllegalArgumentException e) {
            throw new PartDecodeException(blobKey, "bad description in " + key + ": " + e.getMessage(), e);
        }
    }
}
