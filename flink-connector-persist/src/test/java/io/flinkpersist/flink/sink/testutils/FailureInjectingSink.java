package io.flinkpersist.flink.sink.testutils;

import io.flinkpersist.flink.sink.PersistSink;
import io.flinkpersist.flink.sink.committer.PersistCommittable;
import io.flinkpersist.flink.sink.writer.PersistWriteResult;
import io.flinkpersist.flink.sink.writer.PersistWriterState;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A {@link PersistSink} whose writer or committer fails once at a {@link FailurePoint}: everything else is the
 * real sink, used through the same Sink V2 interfaces Flink uses.
 */
@SuppressWarnings("try") // the wrapped writer and committer close like the real ones
public final class FailureInjectingSink<T> implements Sink<T>, SupportsCommitter<PersistCommittable>,
        SupportsPreCommitTopology<PersistWriteResult, PersistCommittable>, SupportsWriterState<T, PersistWriterState> {
    private static final long serialVersionUID = 1L;
    /** Checkpoints a writer must have taken before it fails. */
    private static final int CHECKPOINTS_BEFORE_FAILING = 2;
    /** Records a writer adds after those checkpoints before failing (BEFORE_CHECKPOINT). */
    private static final int RECORDS_BEFORE_FAILING = 200;

    private final PersistSink<T> sink;
    private final FailurePoint point;

    public FailureInjectingSink(PersistSink<T> sink, FailurePoint point) {
        this.sink = sink;
        this.point = point;
        // A test's new job on a shard of an earlier job's name (another backend's run) fails again.
        InjectedFailures.forget(sink.config().shardId().toString());
    }

    @Override
    public StatefulSinkWriter<T, PersistWriterState> createWriter(WriterInitContext context) throws IOException {
        return new Writer(sink.createWriter(context), context.getTaskInfo());
    }

    @Override
    public StatefulSinkWriter<T, PersistWriterState> restoreWriter(WriterInitContext context,
            Collection<PersistWriterState> restored) {
        return new Writer(sink.restoreWriter(context, restored), context.getTaskInfo());
    }

    @Override
    public SimpleVersionedSerializer<PersistWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<PersistCommittable> createCommitter(CommitterInitContext context) {
        Committer<PersistCommittable> committer = sink.createCommitter(context);
        boolean failing = point == FailurePoint.AFTER_APPEND && context.getTaskInfo().getAttemptNumber() == 0;
        return new Committer<>() {
            private int commitCalls;

            @Override
            public void commit(Collection<CommitRequest<PersistCommittable>> requests)
                    throws IOException, InterruptedException {
                committer.commit(requests);
                if (failing && !requests.isEmpty() && ++commitCalls == CHECKPOINTS_BEFORE_FAILING) {
                    throw injected("injected failure after a compare-and-append");
                }
            }

            @Override
            public void close() throws Exception {
                committer.close();
            }
        };
    }

    private IllegalStateException injected(String message) {
        InjectedFailures.record(sink.config().shardId().toString());
        return new IllegalStateException(message);
    }

    @Override
    public SimpleVersionedSerializer<PersistCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public DataStream<CommittableMessage<PersistCommittable>> addPreCommitTopology(
            DataStream<CommittableMessage<PersistWriteResult>> writeResults) {
        return sink.addPreCommitTopology(writeResults);
    }

    @Override
    public SimpleVersionedSerializer<PersistWriteResult> getWriteResultSerializer() {
        return sink.getWriteResultSerializer();
    }

    /** Fails in the first attempt only, in whichever subtask reaches the failure point first. */
    private final class Writer implements CommittingSinkWriter<T, PersistWriteResult>, StatefulSinkWriter<T, PersistWriterState> {
        private final StatefulSinkWriter<T, PersistWriterState> writer;
        private final boolean failing;
        private int checkpoints;
        private int recordsAfterCheckpoints;

        Writer(StatefulSinkWriter<T, PersistWriterState> writer, TaskInfo task) {
            this.writer = writer;
            this.failing = task.getAttemptNumber() == 0;
        }

        private boolean due() {
            return failing && checkpoints >= CHECKPOINTS_BEFORE_FAILING;
        }

        private boolean claim() {
            return InjectedFailures.claim(sink.config().shardId().toString());
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
            if (point == FailurePoint.BEFORE_CHECKPOINT && due()
                    && ++recordsAfterCheckpoints == RECORDS_BEFORE_FAILING && claim()) {
                throw injected("injected failure between checkpoints");
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<PersistWriteResult> prepareCommit() throws IOException, InterruptedException {
            Collection<PersistWriteResult> batches =
                    ((CommittingSinkWriter<T, PersistWriteResult>) writer).prepareCommit();
            if (point == FailurePoint.AFTER_PREPARE_COMMIT && due() && claim()) {
                throw injected("injected failure after prepareCommit, " + batches.size() + " batch lost");
            }
            return batches;
        }

        @Override
        public List<PersistWriterState> snapshotState(long checkpointId) throws IOException {
            if (++checkpoints == CHECKPOINTS_BEFORE_FAILING && failing && point == FailurePoint.DURING_UPLOAD
                    && claim()) {
                FailingUploads.armNextUpload(sink.config().shardId().toString());
            }
            return writer.snapshotState(checkpointId);
        }

        @Override
        public void writeWatermark(org.apache.flink.api.common.eventtime.Watermark watermark)
                throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }
}
