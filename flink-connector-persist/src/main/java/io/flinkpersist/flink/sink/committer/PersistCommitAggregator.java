package io.flinkpersist.flink.sink.committer;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pre-commit topology's one operator (parallelism 1): joins the batches all writers produced for a
 * checkpoint into one {@link PersistCommittable}, so that the committer performs one compare-and-append per
 * checkpoint.
 *
 * <p>Writers emit their results before forwarding the checkpoint barrier, so with aligned barriers every
 * result of checkpoint {@code n} has arrived when {@link #prepareSnapshotPreBarrier} runs for {@code n}; the
 * aggregate is emitted there, before this operator's own barrier, and needs no state of its own. At end of
 * input the writers stamp their last results with the last checkpoint id + 1 (Flink's convention, also in
 * BATCH mode), and that id stamps the aggregate.
 */
@Internal
public final class PersistCommitAggregator extends AbstractStreamOperator<CommittableMessage<PersistCommittable>>
        implements OneInputStreamOperator<CommittableMessage<byte[]>, CommittableMessage<PersistCommittable>>,
                BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PersistCommitAggregator.class);

    private final String sinkId;
    private transient List<byte[]> pending;
    private transient long pendingCheckpointId;
    private transient String jobId;

    public PersistCommitAggregator(String sinkId) {
        this.sinkId = sinkId;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new ArrayList<>();
        pendingCheckpointId = -1;
        jobId = getRuntimeContext().getJobInfo().getJobId().toString();
    }

    @Override
    public void processElement(StreamRecord<CommittableMessage<byte[]>> element) {
        if (element.getValue() instanceof CommittableWithLineage<byte[]> result) {
            pending.add(result.getCommittable());
            pendingCheckpointId = Math.max(pendingCheckpointId, result.getCheckpointIdOrEOI());
        }
        // Summaries only count the writers' results; this operator emits its own.
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emit(checkpointId);
    }

    @Override
    public void endInput() {
        emit(pendingCheckpointId);
    }

    private void emit(long checkpointId) {
        if (pending.isEmpty()) {
            // Nothing written: no append, so an idle job does not write to consensus every checkpoint.
            return;
        }
        PersistCommittable committable = new PersistCommittable(sinkId, jobId, checkpointId, pending);
        LOG.debug("Aggregated {}", committable);
        output.collect(new StreamRecord<>(new CommittableSummary<>(0, 1, checkpointId, 1, 0)));
        output.collect(new StreamRecord<>(new CommittableWithLineage<>(committable, checkpointId, 0)));
        pending = new ArrayList<>();
        pendingCheckpointId = -1;
    }
}
