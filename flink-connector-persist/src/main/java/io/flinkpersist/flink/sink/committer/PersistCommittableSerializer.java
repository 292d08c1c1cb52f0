package io.flinkpersist.flink.sink.committer;

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
 * Version 1: sink id, job id (UTF), checkpoint id, batch count, then each batch length-prefixed. Committables
 * live in checkpoints and savepoints: change the layout only with a new version and keep reading the old.
 */
@Internal
public final class PersistCommittableSerializer implements SimpleVersionedSerializer<PersistCommittable> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PersistCommittable committable) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(committable.sinkId());
            out.writeUTF(committable.jobId());
            out.writeLong(committable.checkpointId());
            out.writeInt(committable.batches().size());
            for (byte[] batch : committable.batches()) {
                out.writeInt(batch.length);
                out.write(batch);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public PersistCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown PersistCommittable version " + version + " (this build reads " + VERSION
                    + "): restore with a matching flink-connector-persist");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            String sinkId = in.readUTF();
            String jobId = in.readUTF();
            long checkpointId = in.readLong();
            int count = in.readInt();
            List<byte[]> batches = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] batch = new byte[in.readInt()];
                in.readFully(batch);
                batches.add(batch);
            }
            return new PersistCommittable(sinkId, jobId, checkpointId, batches);
        }
    }
}
