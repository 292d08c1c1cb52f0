package io.flinkpersist.persist.read;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.ids.LeasedReaderId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.ReaderState;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.Transition;
import io.flinkpersist.persist.time.Frontier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Reads one shard as a leased reader: {@link #snapshot} of the collection as of a time, {@link #listen} to
 * the changes after it. The reader holds the shard's since at or below its own until it
 * {@link #downgradeSince moves it}, expires, or is closed.
 *
 * <p>Reads stream: parts are fetched as the merge reaches them, so a snapshot larger than memory can be read.
 */
public final class ReadHandle implements AutoCloseable {
    private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(1);

    private final LeasedReaderId readerId = LeasedReaderId.random();
    private final Applier applier;
    private final PartFetcher fetcher;
    private final RunSource runs;
    private final long leaseDurationMs;
    /** The state versions of reads still in progress, with how many: the seqno hold stays at or below the oldest. */
    private final SortedMap<SeqNo, Integer> reading = new TreeMap<>();

    private ReadHandle(Applier applier, Blob blob, long leaseDurationMs) {
        this.applier = applier;
        this.fetcher = new PartFetcher(applier.shardId(), blob);
        this.runs = new RunSource(fetcher);
        this.leaseDurationMs = leaseDurationMs;
    }

    /** Registers a new leased reader whose since is the shard's since. */
    public static ReadHandle register(Applier applier, Blob blob, long leaseDurationMs) {
        ReadHandle handle = new ReadHandle(Objects.requireNonNull(applier, "applier"), Objects.requireNonNull(blob, "blob"),
                leaseDurationMs);
        applier.apply("register_reader", (state, afterIndeterminate) -> state.readers().containsKey(handle.readerId)
                ? Transition.answer(null)
                : Transition.write(state.withReader(handle.readerId,
                        new ReaderState(state.since(), state.seqNo(), applier.nowMs(), leaseDurationMs)), null));
        return handle;
    }

    public LeasedReaderId readerId() {
        return readerId;
    }

    public ShardId shardId() {
        return applier.shardId();
    }

    /** Parts this reader fetched from blob so far. */
    public long partsFetched() {
        return fetcher.partsFetched();
    }

    /** Bytes of the parts this reader fetched from blob so far. */
    public long partBytesFetched() {
        return fetcher.bytesFetched();
    }

    /** The shard's since as of the latest state. */
    public Frontier since() {
        return applier.fetch().since();
    }

    /** The shard's upper as of the latest state. */
    public Frontier fetchRecentUpper() {
        return applier.fetch().upper();
    }

    /**
     * The consolidated contents of the shard as of {@code asOf}: every update at a time at or below it, with
     * its time advanced to {@code asOf}, equal updates summed and zero sums dropped. Waits up to
     * {@code timeout} for the upper to pass {@code asOf}.
     *
     * @throws InvalidUsageException.AsOfBelowSince if {@code asOf} is below the shard's since
     * @throws UpperTimeoutException if the upper does not pass {@code asOf} in time
     */
    public Consolidator snapshot(long asOf, Duration timeout) {
        return snapshot(asOf, timeout, KeyRange.ALL);
    }

    /**
     * Like {@link #snapshot(long, Duration)}, of the keys in {@code keys} only: parts that hold none of them are
     * not fetched. The snapshots of ranges that cover every key together are the whole snapshot.
     */
    public Consolidator snapshot(long asOf, Duration timeout, KeyRange keys) {
        ShardState state = applier.fetch();
        if (!state.since().lessEqual(asOf)) {
            throw new InvalidUsageException.AsOfBelowSince(asOf, state.since());
        }
        Held held = awaitHeld(asOf, timeout);
        try {
            if (!held.state().since().lessEqual(asOf)) {
                throw new InvalidUsageException.AsOfBelowSince(asOf, held.state().since());
            }
            List<Iterator<ColumnarRecords>> all = new ArrayList<>();
            for (HollowBatch batch : held.state().batches()) {
                if (batch.desc().lower().lessEqual(asOf)) {
                    all.addAll(runsOf(batch, records -> PartTimes.mapTimes(records, t -> t <= asOf, t -> asOf), keys));
                }
            }
            return new Consolidator(all, held.release());
        } catch (RuntimeException e) {
            held.release().run();
            throw e;
        }
    }

    /** A state this reader holds until {@code release} runs. */
    record Held(ShardState state, Runnable release) {}

    /**
     * {@link #awaitUpperBeyond}, with this reader's seqno hold kept at or below the state it returns until the read
     * releases it. The hold is taken before the state is read: a heartbeat between reading a state and holding it
     * could otherwise record a newer hold, and a merge between the two versions could have its inputs deleted.
     */
    Held awaitHeld(long time, Duration timeout) {
        Runnable provisional = holdWhileReading(applier.cached().seqNo());
        try {
            ShardState state = awaitUpperBeyond(time, timeout);
            return new Held(state, holdWhileReading(state.seqNo()));
        } finally {
            provisional.run();
        }
    }

    /**
     * At most {@code target} key ranges that cover every key and split the shard's latest state into about equal
     * bytes, for reading it in parallel ({@link #snapshot(long, Duration, KeyRange)}, {@link #listen(long, long,
     * KeyRange)}).
     */
    public List<KeyRange> planKeyRanges(int target) {
        return KeyRangePlanner.plan(applier.fetch().batches(), target);
    }

    /** Every change after {@code asOf}, batch by batch. */
    public Listen listen(long asOf) {
        return listen(asOf, asOf, KeyRange.ALL);
    }

    /**
     * Every change after {@code asOf} at or after {@code from} (at least {@code asOf}) to the keys in {@code keys},
     * batch by batch: a listen that resumes where an earlier one's progress was.
     */
    public Listen listen(long asOf, long from, KeyRange keys) {
        if (from < asOf) {
            throw new IllegalArgumentException("a listen as of " + asOf + " cannot start at " + from + ", before it");
        }
        ShardState state = applier.fetch();
        long readThrough = Listen.readThrough(asOf, from);
        if (!state.since().lessEqual(readThrough)) {
            throw new InvalidUsageException.AsOfBelowSince(readThrough, state.since());
        }
        return new Listen(this, asOf, from, keys);
    }

    Consolidator consolidate(Held held, HollowBatch batch, UnaryOperator<ColumnarRecords> transform, KeyRange keys) {
        try {
            return new Consolidator(runsOf(batch, transform, keys), held.release());
        } catch (RuntimeException e) {
            held.release().run();
            throw e;
        }
    }

    /**
     * Keeps this reader's seqno hold at or below {@code seqNo} until the returned release runs: garbage collection
     * deletes parts that only versions below every reader's hold reference, so a read of version {@code seqNo}
     * that is still streaming its parts must hold it even if the reader heartbeats meanwhile.
     */
    private Runnable holdWhileReading(SeqNo seqNo) {
        synchronized (reading) {
            reading.merge(seqNo, 1, Integer::sum);
        }
        return () -> {
            synchronized (reading) {
                reading.computeIfPresent(seqNo, (k, n) -> n == 1 ? null : n - 1);
            }
        };
    }

    /** The seqno this reader may hold itself at: the state it just read, or an older one a read still streams. */
    private SeqNo holdAt(ShardState state) {
        synchronized (reading) {
            return reading.isEmpty() ? state.seqNo() : SeqNo.of(Math.min(reading.firstKey().value(), state.seqNo().value()));
        }
    }

    private List<Iterator<ColumnarRecords>> runsOf(HollowBatch batch, UnaryOperator<ColumnarRecords> transform,
            KeyRange keys) {
        return runs.runs(batch, batch.desc(), batch.partsKnownSorted(), transform, keys);
    }

    /** Polls consensus, backing off up to a second between reads, until the upper is beyond {@code time}. */
    ShardState awaitUpperBeyond(long time, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleepMs = 10;
        while (true) {
            ShardState state = applier.fetch();
            if (!state.upper().lessEqual(time)) {
                return state;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new UpperTimeoutException(shardId(), state.upper(), time, timeout);
            }
            try {
                Thread.sleep(Math.min(sleepMs, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for shard " + shardId() + " to pass " + time, e);
            }
            sleepMs = Math.min(sleepMs * 2, MAX_POLL_INTERVAL.toMillis());
        }
    }

    /**
     * Moves this reader's since forward to {@code since} (a since never moves back: an earlier frontier is
     * ignored); the shard's since follows the least since of its readers.
     */
    public void downgradeSince(Frontier since) {
        applier.apply("downgrade_since", (state, afterIndeterminate) -> {
            ReaderState reader = requireRegistered(state);
            Frontier advanced = Frontier.max(reader.since(), since);
            return Transition.write(state.withReader(readerId, new ReaderState(advanced, holdAt(state), applier.nowMs(),
                    reader.leaseDurationMs())), null);
        });
    }

    /** Renews this reader's lease. */
    public void heartbeat() {
        applier.apply("heartbeat_reader", (state, afterIndeterminate) -> Transition.write(
                state.withReader(readerId, requireRegistered(state).heartbeat(applier.nowMs(), holdAt(state))), null));
    }

    private ReaderState requireRegistered(ShardState state) {
        ReaderState reader = state.readers().get(readerId);
        if (reader == null) {
            throw new IllegalStateException("reader " + readerId + " of shard " + shardId()
                    + " is no longer registered: its lease of " + leaseDurationMs + " ms expired");
        }
        return reader;
    }

    /** Unregisters this reader, releasing its hold on the since. */
    public void expire() {
        applier.apply("expire_reader", (state, afterIndeterminate) -> state.readers().containsKey(readerId)
                ? Transition.write(state.withoutReader(readerId), null)
                : Transition.answer(null));
    }

    @Override
    public void close() {
        expire();
    }

    @Override
    public String toString() {
        return "ReadHandle{" + shardId() + ", " + readerId + "}";
    }
}
