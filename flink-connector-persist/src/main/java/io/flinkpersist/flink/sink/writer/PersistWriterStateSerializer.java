package io.flinkpersist.flink.sink.writer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Version 2: sink instance (UTF), session (two longs), writer key (UTF), next part (long), max gap (int).
 * Version 1 (earlier builds) had the job id where the sink instance is: it is read as {@code job:<id>}. Writer
 * states live in checkpoints and savepoints: change the layout only with a new version and keep reading the old.
 */
@Internal
public final class PersistWriterStateSerializer implements SimpleVersionedSerializer<PersistWriterState> {
    static final int VERSION = 2;
    private static final int JOB_ID_VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PersistWriterState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(state.sinkInstance());
            out.writeLong(state.session().getMostSignificantBits());
            out.writeLong(state.session().getLeastSignificantBits());
            out.writeUTF(state.writerKey());
            out.writeLong(state.nextPart());
            out.writeInt(state.maxGap());
        }
        return bytes.toByteArray();
    }

    @Override
    public PersistWriterState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION && version != JOB_ID_VERSION) {
            throw new IOException("unknown PersistWriterState version " + version + " (this build reads "
                    + JOB_ID_VERSION + " and " + VERSION + "): restore with a matching flink-connector-persist");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            String instance = in.readUTF();
            return new PersistWriterState(version == JOB_ID_VERSION ? "job:" + instance : instance,
                    new UUID(in.readLong(), in.readLong()), in.readUTF(), in.readLong(), in.readInt());
        }
    }
}
