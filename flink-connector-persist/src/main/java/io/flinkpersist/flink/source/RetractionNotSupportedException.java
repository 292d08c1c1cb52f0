package io.flinkpersist.flink.source;

import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A ready-made {@link PersistRecordDeserializer} met an update with a negative diff, which its elements cannot
 * express: read a snapshot (whose diffs are positive unless the shard holds more retractions than insertions of a
 * row), or implement {@link PersistRecordDeserializer} to see diffs.
 */
@PublicEvolving
public final class RetractionNotSupportedException extends IOException {
    private static final long serialVersionUID = 1L;

    RetractionNotSupportedException(long time, long diff) {
        super("an update at time " + time + " has the diff " + diff + ": the ready-made deserializers emit each update "
                + "once per unit of a positive diff and cannot express a retraction; read a snapshot, or implement "
                + "PersistRecordDeserializer to see diffs");
    }
}
