package io.flinkpersist.flink.sink.writer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Write results travel from the writers to the aggregator, and unaligned checkpoints store those in flight.
 * Version 1 (earlier builds): the transmittable batch as it is. Version 2: a flag and the length-prefixed batch,
 * then the abandoned sessions (writer key as UTF, session as two longs, from, max gap, checkpoint id). Change the
 * layout only with a new version and keep reading the old ones.
 */
@Internal
public final class PersistWriteResultSerializer implements SimpleVersionedSerializer<PersistWriteResult> {
    static final int VERSION = 2;
    private static final int BATCH_ONLY_VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PersistWriteResult result) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeBoolean(result.batch() != null);
            if (result.batch() != null) {
                out.writeInt(result.batch().length);
                out.write(result.batch());
            }
            out.writeInt(result.abandonedSessions().size());
            for (AbandonedSession session : result.abandonedSessions()) {
                out.writeUTF(session.writerKey());
                out.writeLong(session.session().getMostSignificantBits());
                out.writeLong(session.session().getLeastSignificantBits());
                out.writeLong(session.from());
                out.writeInt(session.maxGap());
                out.writeLong(session.checkpointId());
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public PersistWriteResult deserialize(int version, byte[] serialized) throws IOException {
        if (version == BATCH_ONLY_VERSION) {
            return new PersistWriteResult(serialized, List.of());
        }
        if (version != VERSION) {
            throw new IOException("unknown writer result version " + version + " (this build reads "
                    + BATCH_ONLY_VERSION + " and " + VERSION + "): restore with a matching flink-connector-persist");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            byte[] batch = null;
            if (in.readBoolean()) {
                batch = new byte[in.readInt()];
                in.readFully(batch);
            }
            int count = in.readInt();
            List<AbandonedSession> sessions = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                sessions.add(new AbandonedSession(in.readUTF(), new UUID(in.readLong(), in.readLong()), in.readLong(),
                        in.readInt(), in.readLong()));
            }
            return new PersistWriteResult(batch, sessions);
        }
    }
}
