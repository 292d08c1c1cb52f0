package io.flinkpersist.persist.read;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.time.Frontier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every change to a shard after an as-of time, batch by batch in time order, as the shard's upper advances.
 * Not thread-safe.
 */
public final class Listen {
    private final ReadHandle reader;
    private final long asOf;
    private final KeyRange keys;
    private Frontier frontier;

    Listen(ReadHandle reader, long asOf, long from, KeyRange keys) {
        this.reader = reader;
        this.asOf = asOf;
        this.keys = keys;
        this.frontier = Frontier.of(from);
    }

    /** Every update emitted so far is at a time below this. */
    public Frontier frontier() {
        return frontier;
    }

    /**
     * The changes of the next appended batch past the frontier, waiting up to {@code timeout} for one.
     *
     * @throws UpperTimeoutException if the upper did not pass the frontier in time
     */
    public ListenBatch next(Duration timeout) {
        return next(timeout, Long.MAX_VALUE);
    }

    /**
     * Like {@link #next(Duration)}, with the progress at most {@code upTo}: a listen resuming a step it was in the
     * middle of takes exactly the times of that step, even if compaction merged its batch with later ones since.
     */
    public ListenBatch next(Duration timeout, long upTo) {
        if (frontier.isEmpty()) {
            throw new IllegalStateException("the shard is closed: its upper is []; nothing more will be appended");
        }
        long at = frontier.element().orElseThrow();
        if (upTo <= at) {
            throw new IllegalArgumentException("a step from " + at + " cannot end at " + upTo);
        }
        ReadHandle.Held held = reader.awaitHeld(at, timeout);
        ShardState state = held.state();
        long readThrough = readThrough(asOf, at);
        if (!state.since().lessEqual(readThrough)) {
            // Compaction advanced times already read to the since: they would come back as changes at the since.
            held.release().run();
            throw new InvalidUsageException.AsOfBelowSince(readThrough, state.since());
        }
        Optional<HollowBatch> containing = batchContaining(state.batches(), frontier);
        if (containing.isEmpty()) {
            held.release().run();
            throw new IllegalStateException("no batch of shard " + state.shardId() + " contains " + frontier
                    + " although its upper is " + state.upper());
        }
        HollowBatch batch = containing.get();
        Frontier upper = upTo == Long.MAX_VALUE || batch.desc().upper().lessEqual(upTo) ? batch.desc().upper()
                : Frontier.of(upTo);
        Frontier from = frontier;
        Consolidator updates = reader.consolidate(held, batch, records -> PartTimes.mapTimes(records,
                t -> asOf < t && from.lessEqual(t) && !upper.lessEqual(t), t -> t), keys);
        frontier = upper;
        return new ListenBatch(updates, frontier);
    }

    /**
     * The last time a listen as of {@code asOf} at frontier {@code at} has read (or 0 before anything): the shard's
     * since must not pass it, for compaction advances the times below the since to it, and times already read
     * would then come back as changes.
     */
    static long readThrough(long asOf, long at) {
        return Math.max(0, Math.max(asOf, at - 1));
    }

    private static Optional<HollowBatch> batchContaining(List<HollowBatch> batches, Frontier time) {
        return batches.stream()
                .filter(b -> b.desc().lower().lessEqual(time) && time.lessThan(b.desc().upper()))
                .findFirst();
    }
}
