package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.persist.write.CommitMarker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Version 3: committer (UTF), checkpoint id, prepared-at time, batch count, each batch length-prefixed, then a flags
 * byte (bit 0: end of input; the others 0, refused otherwise). Version 2 (earlier builds): the same without the flags,
 * read as not at end of input. Version 1 (earlier builds): sink id and job id (UTF) instead of the committer, which is their marker name
 * ({@code sinkId/jobId}), and no prepared-at time. Committables live in checkpoints and savepoints: change the
 * layout only with a new version and keep reading the old.
 */
@Internal
public final class PersistCommittableSerializer implements SimpleVersionedSerializer<PersistCommittable> {
    static final int VERSION = 3;
    private static final int NO_FLAGS_VERSION = 2;
    private static final int JOB_ID_VERSION = 1;
    private static final int END_OF_INPUT = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PersistCommittable committable) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(committable.committer());
            out.writeLong(committable.checkpointId());
            out.writeLong(committable.preparedAtMs());
            writeBatches(out, committable.batches());
            out.writeByte(committable.endOfInput() ? END_OF_INPUT : 0);
        }
        return bytes.toByteArray();
    }

    @Override
    public PersistCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version < JOB_ID_VERSION || version > VERSION) {
            throw new IOException("unknown PersistCommittable version " + version + " (this build reads "
                    + JOB_ID_VERSION + " to " + VERSION + "): restore with a matching flink-connector-persist");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            if (version == JOB_ID_VERSION) {
                String committer = SinkMarkers.commits(in.readUTF(), in.readUTF());
                long checkpointId = in.readLong();
                return new PersistCommittable(committer, checkpointId, CommitMarker.UNKNOWN_PREPARED_AT,
                        readBatches(in), false);
            }
            String committer = in.readUTF();
            long checkpointId = in.readLong();
            long preparedAtMs = in.readLong();
            List<byte[]> batches = readBatches(in);
            boolean endOfInput = version != NO_FLAGS_VERSION && readFlags(in) == END_OF_INPUT;
            return new PersistCommittable(committer, checkpointId, preparedAtMs, batches, endOfInput);
        }
    }

    private static int readFlags(DataInputStream in) throws IOException {
        int flags = in.readUnsignedByte();
        if ((flags & ~END_OF_INPUT) != 0) {
            throw new IOException("PersistCommittable flags 0x" + Integer.toHexString(flags) + " name a flag this build "
                    + "does not know (it knows 0x1, end of input): restore with a matching flink-connector-persist");
        }
        return flags;
    }

    private static void writeBatches(DataOutputStream out, List<byte[]> batches) throws IOException {
        out.writeInt(batches.size());
        for (byte[] batch : batches) {
            out.writeInt(batch.length);
            out.write(batch);
        }
    }

    private static List<byte[]> readBatches(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<byte[]> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] batch = new byte[in.readInt()];
            in.readFully(batch);
            batches.add(batch);
        }
        return batches;
    }
}
