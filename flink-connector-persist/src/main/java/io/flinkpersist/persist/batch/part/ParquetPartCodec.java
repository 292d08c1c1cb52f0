package io.flinkpersist.persist.batch.part;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Parts as persist stores them in blob: one Parquet file with one row group of four required columns
 * {@code k, v} (binary) and {@code t, d} (int64), and the part's header base64-encoded under the file metadata key
 * {@value #HEADER_KEY}. Both directions check the part rules ({@link BlobTraceBatchPart#validate()}).
 */
public final class ParquetPartCodec {
    /** The file key-value metadata key of the part header, a base64 {@code ProtoBatchPartInline}. */
    public static final String HEADER_KEY = "MZ:inline";

    /** The layout we write; {@link ParquetPartReader} also accepts the columns in another order. */
    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).named("k")
            .required(PrimitiveTypeName.BINARY).named("v")
            .required(PrimitiveTypeName.INT64).named("t")
            .required(PrimitiveTypeName.INT64).named("d")
            .named("persist");

    private ParquetPartCodec() {}

    /**
     * Validates a part and encodes it as a Parquet file with page checksums.
     *
     * @throws InvalidPartException if the part breaks a part rule: better to fail now than to write it
     */
    public static byte[] encode(BlobTraceBatchPart part) {
        return encode(part, true);
    }

    /**
     * Validates a part and encodes it as a Parquet file, with a CRC32 checksum on every page if {@code pageChecksums}.
     *
     * @throws InvalidPartException if the part breaks a part rule: better to fail now than to write it
     */
    public static byte[] encode(BlobTraceBatchPart part, boolean pageChecksums) {
        part.validate();
        try {
            return ParquetPartWriter.write(part.updates(), PartHeader.encode(part), pageChecksums);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode part " + part.index() + " of " + part.desc(), e);
        }
    }

    /**
     * Decodes and validates a Parquet part.
     *
     * @param blobKey the key the bytes were read from, for error messages
     * @throws PartDecodeException if the bytes are not a valid part, naming the key and the reason
     */
    public static BlobTraceBatchPart decode(String blobKey, byte[] bytes) {
        if (!hasMagic(bytes)) {
            throw new PartDecodeException(blobKey, "not a Parquet file: " + bytes.length
                    + " bytes without the PAR1 magic at both ends");
        }
        try {
            BlobTraceBatchPart part = ParquetPartReader.read(blobKey, bytes);
            part.validate();
            return part;
        } catch (PartDecodeException e) {
            throw e;
        } catch (InvalidPartException e) {
            throw new PartDecodeException(blobKey, "invalid part: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new PartDecodeException(blobKey, "unreadable Parquet: " + e, e);
        }
    }

    // parquet-java checks only the trailing magic; a part must also start with it.
    private static boolean hasMagic(byte[] bytes) {
        byte[] magic = ParquetFileWriter.MAGIC;
        int m = magic.length;
        return bytes.length >= 2 * m + Integer.BYTES
                && Arrays.equals(bytes, 0, m, magic, 0, m)
                && Arrays.equals(bytes, bytes.length - m, bytes.length, magic, 0, m);
    }
}
