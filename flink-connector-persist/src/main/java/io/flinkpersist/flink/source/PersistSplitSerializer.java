package io.flinkpersist.flink.source;

import io.flinkpersist.persist.read.KeyRange;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Version 1: id, key range, as-of, flags, frontier, step upper, and the update to resume after. */
@Internal
public final class PersistSplitSerializer implements SimpleVersionedSerializer<PersistSplit> {
    public static final PersistSplitSerializer INSTANCE = new PersistSplitSerializer();
    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PersistSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(split, out);
        }
        return bytes.toByteArray();
    }

    @Override
    public PersistSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown version " + version + " of a persist source split; this build reads "
                    + VERSION);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return read(in);
        }
    }

    static void write(PersistSplit split, DataOutputStream out) throws IOException {
        out.writeUTF(split.splitId());
        writeBytes(out, split.keys().lower());
        out.writeBoolean(split.keys().upper() != null);
        if (split.keys().upper() != null) {
            writeBytes(out, split.keys().upper());
        }
        out.writeLong(split.asOf());
        out.writeBoolean(split.snapshotPending());
        out.writeBoolean(split.bounded());
        out.writeLong(split.frontier());
        out.writeLong(split.stepUpper());
        out.writeBoolean(split.resume() != null);
        if (split.resume() != null) {
            writeBytes(out, split.resume().key());
            writeBytes(out, split.resume().value());
            out.writeLong(split.resume().time());
        }
    }

    static PersistSplit read(DataInputStream in) throws IOException {
        String id = in.readUTF();
        byte[] lower = readBytes(in);
        byte[] upper = in.readBoolean() ? readBytes(in) : null;
        long asOf = in.readLong();
        boolean snapshotPending = in.readBoolean();
        boolean bounded = in.readBoolean();
        long frontier = in.readLong();
        long stepUpper = in.readLong();
        PersistSplit.Update resume = in.readBoolean()
                ? new PersistSplit.Update(readBytes(in), readBytes(in), in.readLong()) : null;
        return new PersistSplit(id, new KeyRange(lower, upper), asOf, snapshotPending, bounded, frontier, stepUpper,
                resume);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("a persist source split holds a byte string of negative length " + length);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("a persist source split ends within a byte string of " + length + " bytes");
        }
        return bytes;
    }
}
