package io.flinkpersist.persist.read;

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
    private Frontier frontier;

    Listen(ReadHandle reader, long asOf) {
        this.reader = reader;
        this.asOf = asOf;
        this.frontier = Frontier.of(asOf);
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
        if (frontier.isEmpty()) {
            throw new IllegalStateException("the shard is closed: its upper is []; nothing more will be appended");
        }
        long at = frontier.element().orElseThrow();
        ShardState state = reader.awaitUpperBeyond(at, timeout);
        HollowBatch batch = batchContaining(state.batches(), frontier).orElseThrow(() -> new IllegalStateException(
                "no batch of shard " + state.shardId() + " contains " + frontier + " although its upper is " + state.upper()));
        Frontier from = frontier;
        Consolidator updates = reader.consolidate(state, batch, records -> PartTimes.mapTimes(records,
                t -> asOf < t && from.lessEqual(t), t -> t));
        frontier = batch.desc().upper();
        return new ListenBatch(updates, frontier);
    }

    private static Optional<HollowBatch> batchContaining(List<HollowBatch> batches, Frontier time) {
        return batches.stream()
                .filter(b -> b.desc().lower().lessEqual(time) && time.lessThan(b.desc().upper()))
                .findFirst();
    }
}
