package io.flinkpersist.persist.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
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
 * they are; persist reads ours and skips the field as unknown.
 *
 * <p>A damaged header must not pass for no header, or the damage after it would go unseen. Every writer starts a
 * value without a header with a field of its message, of the wire type it is declared with; a value that starts
 * with anything else is refused. The header's number is chosen so that damage to its tag does not make such a
 * field: a flipped bit leaves a number of 2^20 or more, or the wrong wire type; a tag cut short by a flipped
 * continuation bit, or with bytes inserted after its first byte, has a number of 15 + 16 k, which neither message
 * uses with a length-delimited type.
 */
final class StateIntegrity {
    static final int FIELD = ProtoRollup.INTEGRITY_FIELD_NUMBER;
    private static final int TAG = FIELD << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /** {@link #TAG} as it is written: a varint. */
    private static final byte[] TAG_BYTES = tagBytes();

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
     * The message bytes of {@code data}, the value of version {@code seqNo} encoding a {@code message}: what
     * follows the header, checked against it, or all of {@code data} if it has no header.
     *
     * @throws CorruptStateException if the header does not decode or the bytes after it are not the ones it
     *     describes (the value was cut, extended or damaged), or if a value without a header does not start with a
     *     field of {@code message} (its header was damaged)
     */
    static Body open(ShardId shardId, SeqNo seqNo, byte[] data, Descriptor message) {
        CodedInputStream in = CodedInputStream.newInstance(data);
        int tag;
        try {
            tag = data.length == 0 ? 0 : in.readTag();
        } catch (IOException e) {
            // Not even a first tag: the message parse that follows reports it with the whole value.
            return new Body(UnsafeByteOperations.unsafeWrap(data), false);
        }
        if (tag != TAG) {
            if (tag != 0 && !startsAField(message, tag)) {
                throw new CorruptStateException(shardId, seqNo, "it starts with field " + (tag >>> 3) + " of wire type "
                        + (tag & 7) + ", which is neither an integrity header nor a field of " + message.getName()
                        + ": its header was damaged");
            }
            int inserted = sealedAfter(data);
            if (inserted > 0) {
                throw new CorruptStateException(shardId, seqNo, inserted + " bytes were inserted in front of its "
                        + "integrity header, which vouches for the bytes after it: the value was damaged");
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

    /**
     * Where in {@code data} a header starts that vouches for exactly the bytes after it, or 0 if none does. Bytes
     * inserted in front of a header can make a field of the message that swallows the header's tag, so that the value
     * parses as one without a header; the header is then still there, intact, with its length and CRC matching the
     * rest. A value written without a header holds such a sequence only by a chance of 2^-32 at most, for each place
     * the header's tag occurs in it; only values without a header pay for the search.
     */
    private static int sealedAfter(byte[] data) {
        for (int at = 1; at + TAG_BYTES.length <= data.length; at++) {
            if (!startsWithTag(data, at)) {
                continue;
            }
            CodedInputStream in = CodedInputStream.newInstance(data, at, data.length - at);
            try {
                in.readTag();
                ProtoStateIntegrity header = in.readMessage(ProtoStateIntegrity.parser(),
                        ExtensionRegistryLite.getEmptyRegistry());
                int start = at + in.getTotalBytesRead();
                if (header.getLength() == data.length - start
                        && header.getCrc32C() == crc32c(data, start, data.length - start)) {
                    return at;
                }
            } catch (IOException e) {
                // Not a header here.
            }
        }
        return 0;
    }

    private static boolean startsWithTag(byte[] data, int at) {
        for (int i = 0; i < TAG_BYTES.length; i++) {
            if (data[at + i] != TAG_BYTES[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code tag} is that of a field of {@code message} other than the header, of its declared wire type. */
    private static boolean startsAField(Descriptor message, int tag) {
        FieldDescriptor field = message.findFieldByNumber(tag >>> 3);
        if (field == null || field.getNumber() == FIELD) {
            return false;
        }
        int wireType = tag & 7;
        return wireType == field.getLiteType().getWireType()
                || field.isPackable() && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    private static byte[] tagBytes() {
        byte[] bytes = new byte[CodedOutputStream.computeUInt32SizeNoTag(TAG)];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeUInt32NoTag(TAG);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
