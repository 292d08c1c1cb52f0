package io.flinkpersist.flink.source;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Reads a persist shard: the snapshot as of a time (bounded), that snapshot and then every change committed after
 * it, or only the changes after a time (unbounded). Readers read key ranges of the shard in parallel; a key is
 * read by one reader, its changes in the order of their times. Exactly once: a restored job resumes each key range
 * where its checkpoint left it. Build one with {@link #builder()}; see docs/source.md.
 */
@PublicEvolving
public final class PersistSource<T> implements Source<T, PersistSplit, PersistEnumeratorState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final PersistSourceConfig config;
    private final PersistRecordDeserializer<T> deserializer;

    PersistSource(PersistSourceConfig config, PersistRecordDeserializer<T> deserializer) {
        this.config = config;
        this.deserializer = deserializer;
    }

    public static <T> PersistSourceBuilder<T> builder() {
        return new PersistSourceBuilder<>();
    }

    @Override
    public Boundedness getBoundedness() {
        return config.mode() == PersistSourceConfig.Mode.SNAPSHOT ? Boundedness.BOUNDED
                : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SplitEnumerator<PersistSplit, PersistEnumeratorState> createEnumerator(
            SplitEnumeratorContext<PersistSplit> context) {
        return new PersistEnumerator(context, config, getBoundedness() == Boundedness.BOUNDED, null);
    }

    @Override
    public SplitEnumerator<PersistSplit, PersistEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<PersistSplit> context, PersistEnumeratorState state) {
        return new PersistEnumerator(context, config, getBoundedness() == Boundedness.BOUNDED, state);
    }

    @Override
    public SimpleVersionedSerializer<PersistSplit> getSplitSerializer() {
        return PersistSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<PersistEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new PersistEnumeratorStateSerializer();
    }

    @Override
    public SourceReader<T, PersistSplit> createReader(SourceReaderContext context) throws Exception {
        return PersistSourceReader.open(config, deserializer, context);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    /** For tests and the table layer: what the builder checked. */
    public PersistSourceConfig config() {
        return config;
    }
}
