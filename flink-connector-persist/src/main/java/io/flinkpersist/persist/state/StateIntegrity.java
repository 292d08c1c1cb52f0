package io.flinkpersist.persist.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.proto.integrity.ProtoStateIntegrity;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.CRC32C;

/**
 * The integrity header in front of every consensus value and rollup this build writes: field
 * {@value #FIELD} ({@code ProtoStateIntegrity}), first in the value, holding the length and CRC-32C of the bytes
 * after it.
 *
 * <p>Why first and not last: protobuf parses any prefix that ends at a field boundary, so a value cut short looks
 * like a complete, older state. A trailer would be the first thing a cut loses, and a value without one would have
 * to be taken for one written before trailers. A header survives every cut but the one that leaves nothing, and the
 * length it states tells the cut apart. Values without a header (written before headers, or by persist) are read as
 * they are; persist reads ours and skips the field as unknown. A value without a header never starts with a field
 * numbered as high as the header's, so a header damaged into another field is told apart from none.
 */
final class StateIntegrity {
    static final int FIELD = ProtoRollup.INTEGRITY_FIELD_NUMBER;
    private static final int TAG = FIELD << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /**
     * Persist's top-level fields and ours are numbered far below this; the header's number has only bits above it
     * set. A first field numbered this high is a header whose tag was damaged (a flipped bit changes its wire type
     * or number but leaves it this high): refused, so that a damaged header cannot pass for no header.
     */
    private static final int HEADER_FIELDS_FROM = 1 << 20;

    private StateIntegrity() {}

    /** The message bytes of a value, and whether a header vouched for them. */
    record Body(ByteString bytes, boolean sealed) {}

    /** {@code body} (an encoded {@code ProtoStateDiff} or {@code ProtoRollup}) with its header in front. */
    static byte[] seal(byte[] body) {
        ProtoStateIntegrity header = ProtoStateIntegrity.newBuilder()
                .setLength(body.length)
                .setCrc32C(crc32c(body, 0, body.length))
                .build();
        int headerSize = CodedOutputStream.computeMessageSize(FIELD, header);
        byte[] sealed = new byte[headerSize + body.length];
        CodedOutputStream out = CodedOutputStream.newInstance(sealed, 0, headerSize);
        try {
            out.writeMessage(FIELD, header);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.checkNoSpaceLeft();
        System.arraycopy(body, 0, sealed, headerSize, body.length);
        return sealed;
    }

    /**
     * The message bytes of {@code data}, the value of version {@code seqNo}: what follows the header, checked
     * against it, or all of {@code data} if it has no header.
     *
     * @throws CorruptStateException if the header does not decode or the bytes after it are not the ones it
     *     describes (the value was cut, extended or damaged)
     */
    static Body open(ShardId shardId, SeqNo seqNo, byte[] data) {
        CodedInputStream in = CodedInputStream.newInstance(data);
        int tag;
        try {
            tag = data.length == 0 ? 0 : in.readTag();
        } catch (IOException e) {
            // Not even a first tag: the message parse that follows reports it with the whole value.
            return new Body(UnsafeByteOperations.unsafeWrap(data), false);
        }
        if (tag != TAG) {
            if (tag >>> 3 >= HEADER_FIELDS_FROM) {
                throw new CorruptStateException(shardId, seqNo, "its first field is number " + (tag >>> 3) + " of wire "
                        + "type " + (tag & 7) + ", where only an integrity header is written: the header was damaged");
            }
            return new Body(UnsafeByteOperations.unsafeWrap(data), false);
        }
        ProtoStateIntegrity header;
        try {
            header = in.readMessage(ProtoStateIntegrity.parser(), ExtensionRegistryLite.getEmptyRegistry());
        } catch (IOException e) {
            throw new CorruptStateException(shardId, seqNo, "its integrity header does not decode: " + e.getMessage(), e);
        }
        int start = in.getTotalBytesRead();
        int length = data.length - start;
        if (header.getLength() != length) {
            throw new CorruptStateException(shardId, seqNo, "its integrity header says " + header.getLength()
                    + " bytes follow it, but " + length + " do: the value was cut or extended");
        }
        int crc = crc32c(data, start, length);
        if (header.getCrc32C() != crc) {
            throw new CorruptStateException(shardId, seqNo, String.format("the CRC-32C of its %d bytes after the "
                    + "integrity header is %08x, but the header says %08x: the value was damaged", length, crc,
                    header.getCrc32C()));
        }
        return new Body(UnsafeByteOperations.unsafeWrap(data, start, length), true);
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
