package io.flinkpersist.flink.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Version 1: the count of unassigned splits, then each as {@link PersistSplitSerializer} writes it. */
@Internal
public final class PersistEnumeratorStateSerializer implements SimpleVersionedSerializer<PersistEnumeratorState> {
    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PersistEnumeratorState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(state.unassigned().size());
            for (PersistSplit split : state.unassigned()) {
                PersistSplitSerializer.write(split, out);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public PersistEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown version " + version + " of a persist source enumerator state; this build "
                    + "reads " + VERSION);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int count = in.readInt();
            if (count < 0) {
                throw new IOException("a persist source enumerator state holds " + count + " splits");
            }
            List<PersistSplit> splits = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                splits.add(PersistSplitSerializer.read(in));
            }
            return new PersistEnumeratorState(splits);
        }
    }
}
