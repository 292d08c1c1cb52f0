package io.flinkpersist.flink.sink.committer;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A writer's result: one transmittable {@code ProtoBatch}, which carries its own format version, so version
 * 1 here is the bytes as they are.
 */
@Internal
public final class BatchBytesSerializer implements SimpleVersionedSerializer<byte[]> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(byte[] batch) {
        return batch;
    }

    @Override
    public byte[] deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown writer result version " + version + " (this build reads " + VERSION + ")");
        }
        return serialized;
    }
}
