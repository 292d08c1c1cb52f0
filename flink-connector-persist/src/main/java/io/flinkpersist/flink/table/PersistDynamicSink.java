package io.flinkpersist.flink.table;

import io.flinkpersist.flink.sink.PersistSink;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;

/**
 * A table sink that writes through {@link io.flinkpersist.flink.sink.PersistSink}: every row kind is an update
 * of the shard's collection, so the shard's snapshot equals the query's result.
 */
@Internal
final class PersistDynamicSink implements DynamicTableSink {
    private final DataType physicalRow;
    private final RowLayout<EncodingFormat<SerializationSchema<RowData>>> layout;
    private final SinkSettings settings;
    /** Null: the planner's default. */
    private final Integer parallelism;

    PersistDynamicSink(DataType physicalRow, RowLayout<EncodingFormat<SerializationSchema<RowData>>> layout,
            SinkSettings settings, Integer parallelism) {
        this.physicalRow = physicalRow;
        this.layout = layout;
        this.settings = settings;
        this.parallelism = parallelism;
    }

    /**
     * Every kind, whatever the query produces: declaring UPDATE_BEFORE makes the planner send the -U image of
     * each update (adding a ChangelogNormalize after an upsert source), which the shard needs to retract the
     * old row. An upsert mode would let the planner drop it.
     */
    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        return ChangelogMode.all();
    }

    /**
     * A DataStream provider rather than SinkV2Provider, to give the sink a uid: the planner sets uids only in
     * compiled plans, and without one Flink derives the sink's operator ids from the whole topology, so the
     * sink's checkpointed state would not be found again once the query around it changes. The uid is the sink
     * id; two tables on one shard in a job without distinct 'sink.id's then fail on the duplicate uid instead
     * of sharing commit markers.
     *
     * <p>'sink.parallelism' is set here and not reported to the planner, which would demand a primary key to
     * redistribute an updating input by key. Persist needs no per-key order: diffs add up in any order, and
     * with aligned checkpoints a row's retraction never lands in an earlier checkpoint than the row, since the
     * input emits it later. (Unaligned checkpoints let a barrier overtake the row on its way to another
     * writer: one checkpoint may then show the retraction before the next adds the row.)
     */
    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        PersistSink<RowData> sink = settings.build(layout.keyCodec(), layout.valueCodec(), serializer(context));
        return (DataStreamSinkProvider) (provider, rows) -> {
            DataStreamSink<RowData> written = rows.sinkTo(sink).uid(sink.config().sinkId());
            return parallelism == null ? written : written.setParallelism(parallelism);
        };
    }

    /** The runtime encoders come from the formats only now: they need the planner's sink context. */
    private RowDataRecordSerializer serializer(Context context) {
        SerializationSchema<RowData> keySchema = layout.keyFormat().createRuntimeEncoder(context,
                RowLayout.project(physicalRow, layout.keyColumns()));
        SerializationSchema<RowData> valueSchema = layout.valueFormat() == null ? null
                : layout.valueFormat().createRuntimeEncoder(context,
                        RowLayout.project(physicalRow, layout.valueColumns()));
        return new RowDataRecordSerializer(keySchema, RowLayout.getters(physicalRow, layout.keyColumns()),
                valueSchema, RowLayout.getters(physicalRow, layout.valueColumns()));
    }

    @Override
    public DynamicTableSink copy() {
        // Everything it holds is immutable.
        return new PersistDynamicSink(physicalRow, layout, settings, parallelism);
    }

    /** Shown in plans and planner messages: nothing of the options, which may hold credentials. */
    @Override
    public String asSummaryString() {
        return "Persist";
    }
}
