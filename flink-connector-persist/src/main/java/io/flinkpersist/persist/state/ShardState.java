package io.flinkpersist.persist.state;

import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.CriticalReaderId;
import io.flinkpersist.persist.ids.LeasedReaderId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One version of a shard's metadata: its frontiers, the batches appended so far, and the handles that hold
 * leases on it. Immutable; every change makes a new value, and {@link #nextVersion} stamps it as the
 * successor that is compare-and-set into consensus.
 *
 * <p>The upper is the upper of the last appended batch (batches are contiguous); the since only moves
 * forward, to the least since held by a leased or critical reader.
 */
public final class ShardState {
    private final ShardId shardId;
    private final SeqNo seqNo;
    private final long walltimeMs;
    private final BuildVersion applierVersion;
    private final Codecs codecs;
    private final Frontier since;
    private final List<HollowBatch> batches;
    private final SortedMap<WriterId, WriterState> writers;
    private final SortedMap<LeasedReaderId, ReaderState> readers;
    private final SortedMap<CriticalReaderId, CriticalReaderState> criticalReaders;
    private final SortedMap<String, CommitMarkerState> commitMarkers;
    private final SortedMap<SeqNo, HollowRollup> rollups;
    private final Optional<ActiveRollup> activeRollup;

    ShardState(ShardId shardId, SeqNo seqNo, long walltimeMs, BuildVersion applierVersion, Codecs codecs,
            Frontier since, List<HollowBatch> batches, SortedMap<WriterId, WriterState> writers,
            SortedMap<LeasedReaderId, ReaderState> readers,
            SortedMap<CriticalReaderId, CriticalReaderState> criticalReaders,
            SortedMap<String, CommitMarkerState> commitMarkers, SortedMap<SeqNo, HollowRollup> rollups,
            Optional<ActiveRollup> activeRollup) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.seqNo = Objects.requireNonNull(seqNo, "seqNo");
        this.walltimeMs = walltimeMs;
        this.applierVersion = Objects.requireNonNull(applierVersion, "applierVersion");
        this.codecs = Objects.requireNonNull(codecs, "codecs");
        this.since = Objects.requireNonNull(since, "since");
        this.batches = List.copyOf(batches);
        this.writers = Collections.unmodifiableSortedMap(new TreeMap<>(writers));
        this.readers = Collections.unmodifiableSortedMap(new TreeMap<>(readers));
        this.criticalReaders = Collections.unmodifiableSortedMap(new TreeMap<>(criticalReaders));
        this.commitMarkers = Collections.unmodifiableSortedMap(new TreeMap<>(commitMarkers));
        this.rollups = Collections.unmodifiableSortedMap(new TreeMap<>(rollups));
        this.activeRollup = Objects.requireNonNull(activeRollup, "activeRollup");
    }

    /** The first version of a shard: nothing written, upper = since = [0]. */
    public static ShardState initial(ShardId shardId, Codecs codecs, BuildVersion version, long nowMs) {
        return new ShardState(shardId, SeqNo.of(1), nowMs, version, codecs, Frontier.MINIMUM, List.of(),
                new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), Optional.empty());
    }

    public ShardId shardId() {
        return shardId;
    }

    public SeqNo seqNo() {
        return seqNo;
    }

    public long walltimeMs() {
        return walltimeMs;
    }

    public BuildVersion applierVersion() {
        return applierVersion;
    }

    public Codecs codecs() {
        return codecs;
    }

    public Frontier since() {
        return since;
    }

    public Frontier upper() {
        return batches.isEmpty() ? Frontier.MINIMUM : batches.get(batches.size() - 1).desc().upper();
    }

    public List<HollowBatch> batches() {
        return batches;
    }

    public SortedMap<WriterId, WriterState> writers() {
        return writers;
    }

    public SortedMap<LeasedReaderId, ReaderState> readers() {
        return readers;
    }

    /**
     * The oldest version a reader may still be reading the parts of: the least seqno hold of the leased readers, or
     * this version if none holds an older one. A part that no version from here on references is read by no one.
     */
    public SeqNo seqNoSince() {
        SeqNo least = seqNo;
        for (ReaderState reader : readers.values()) {
            if (reader.seqNoHold().compareTo(least) < 0) {
                least = reader.seqNoHold();
            }
        }
        return least;
    }

    /**
     * Per committer (e.g. one run of a Flink sink), the highest checkpoint whose data was appended. Kept across
     * writer lease expiry, so a committable replayed days later is still recognised, and dropped by the first
     * transition after its retention ran out.
     */
    public SortedMap<String, CommitMarkerState> commitMarkers() {
        return commitMarkers;
    }

    /** With {@code committer}'s marker recorded at {@code checkpointId} (or kept at a higher one) as of {@code nowMs}. */
    public ShardState withCommitMarker(String committer, long checkpointId, long nowMs, long retentionMs) {
        SortedMap<String, CommitMarkerState> updated = new TreeMap<>(commitMarkers);
        CommitMarkerState recorded = updated.get(committer);
        updated.put(committer, recorded == null ? new CommitMarkerState(checkpointId, nowMs, retentionMs)
                : recorded.recorded(checkpointId, nowMs, retentionMs));
        return new ShardState(shardId, seqNo, walltimeMs, applierVersion, codecs, since, batches, writers, readers,
                criticalReaders, updated, rollups, activeRollup);
    }

    /**
     * The rollups this state records, by the version each holds: the newest is where a reader starts, and every
     * version from the oldest on is still in consensus.
     */
    public SortedMap<SeqNo, HollowRollup> rollups() {
        return rollups;
    }

    /** The newest rollup, if this state records any (states written before rollups existed do not). */
    public Optional<Map.Entry<SeqNo, HollowRollup>> latestRollup() {
        return rollups.isEmpty() ? Optional.empty() : Optional.of(Map.entry(rollups.lastKey(), rollups.get(rollups.lastKey())));
    }

    /** The rollup a handle is writing, if one was assigned. */
    public Optional<ActiveRollup> activeRollup() {
        return activeRollup;
    }

    /** With the rollup of version {@code at} recorded, and the assignment it answers, if any, done. */
    public ShardState withRollup(SeqNo at, HollowRollup rollup) {
        SortedMap<SeqNo, HollowRollup> updated = new TreeMap<>(rollups);
        updated.put(at, rollup);
        Optional<ActiveRollup> active = activeRollup.filter(a -> a.seqNo().compareTo(at) > 0);
        return new ShardState(shardId, seqNo, walltimeMs, applierVersion, codecs, since, batches, writers, readers,
                criticalReaders, commitMarkers, updated, active);
    }

    /** With {@code active} as the rollup being written. */
    public ShardState withActiveRollup(ActiveRollup active) {
        return new ShardState(shardId, seqNo, walltimeMs, applierVersion, codecs, since, batches, writers, readers,
                criticalReaders, commitMarkers, rollups, Optional.of(active));
    }

    /** Without the rollups of versions below {@code seqNo}. */
    public ShardState withoutRollupsBelow(SeqNo seqNo) {
        return new ShardState(shardId, this.seqNo, walltimeMs, applierVersion, codecs, since, batches, writers, readers,
                criticalReaders, commitMarkers, new TreeMap<>(rollups.tailMap(seqNo)), activeRollup);
    }

    /** This state stamped as version {@code at}, as a rollup of that version or a diff's result has it. */
    ShardState at(SeqNo at, long walltime, BuildVersion version) {
        return new ShardState(shardId, at, walltime, version, codecs, since, batches, writers, readers, criticalReaders,
                commitMarkers, rollups, activeRollup);
    }

    /** Bytes of updates held inline in this state's batches. */
    public long inlineBytes() {
        return batches.stream().mapToLong(HollowBatch::inlineBytes).sum();
    }

    /**
     * The successor of this version: seqno + 1, a walltime that strictly increases even if the clock does
     * not, the writing code's version, and every lease and commit marker that ran out by {@code nowMs} dropped.
     */
    public ShardState nextVersion(long nowMs, BuildVersion version) {
        ShardState expired = expire(nowMs);
        SortedMap<String, CommitMarkerState> liveMarkers = new TreeMap<>(commitMarkers);
        liveMarkers.values().removeIf(m -> m.isExpired(nowMs));
        return new ShardState(shardId, seqNo.next(), Math.max(nowMs, walltimeMs + 1), version, codecs,
                expired.since, batches, expired.writers, expired.readers, criticalReaders, liveMarkers, rollups,
                activeRollup);
    }

    /** This state without writers and readers whose lease ran out by {@code nowMs}. */
    public ShardState expire(long nowMs) {
        SortedMap<WriterId, WriterState> liveWriters = new TreeMap<>(writers);
        liveWriters.values().removeIf(w -> w.isExpired(nowMs));
        SortedMap<LeasedReaderId, ReaderState> liveReaders = new TreeMap<>(readers);
        liveReaders.values().removeIf(r -> r.isExpired(nowMs));
        return with(batches, liveWriters, liveReaders);
    }

    /** With {@code batch} appended; a batch with an empty time interval changes nothing and is not kept. */
    public ShardState withAppended(HollowBatch batch) {
        if (!batch.desc().lower().equals(upper())) {
            throw new IllegalStateException("batch " + batch.desc() + " does not start at the shard upper " + upper());
        }
        if (batch.desc().isEmptyInterval()) {
            return this;
        }
        List<HollowBatch> appended = new ArrayList<>(batches);
        appended.add(batch);
        return with(appended, writers, readers);
    }

    /**
     * With the adjacent batches {@code inputs} replaced by {@code output}, which holds the same updates and spans
     * their interval; empty if they are no longer batches of this state, one after the other.
     */
    public Optional<ShardState> withReplaced(List<HollowBatch> inputs, HollowBatch output) {
        int first = batches.indexOf(inputs.get(0));
        if (first < 0 || first + inputs.size() > batches.size()
                || !batches.subList(first, first + inputs.size()).equals(inputs)) {
            return Optional.empty();
        }
        if (!output.desc().lower().equals(inputs.get(0).desc().lower())
                || !output.desc().upper().equals(inputs.get(inputs.size() - 1).desc().upper())) {
            throw new IllegalArgumentException("batch " + output.desc() + " does not span the batches it replaces, "
                    + inputs.get(0).desc() + " to " + inputs.get(inputs.size() - 1).desc());
        }
        List<HollowBatch> replaced = new ArrayList<>(batches.subList(0, first));
        replaced.add(output);
        replaced.addAll(batches.subList(first + inputs.size(), batches.size()));
        return Optional.of(with(replaced, writers, readers));
    }

    /**
     * With the since moved forward towards {@code target}, but not past any reader's since: a reader's since is a
     * promise that the shard can still tell apart the times at and after it. Never moves back. A shard with critical
     * readers moves only as they do (see {@link #withCriticalReader}).
     */
    public ShardState withSinceAdvancedTo(Frontier target) {
        Frontier bound = Frontier.min(target, leastSince(readers, criticalReaders).orElse(target));
        Frontier advanced = criticalReaders.isEmpty() ? Frontier.max(since, bound) : since;
        return new ShardState(shardId, seqNo, walltimeMs, applierVersion, codecs, advanced, batches, writers, readers,
                criticalReaders, commitMarkers, rollups, activeRollup);
    }

    /** The critical readers: sinces held until their holders move them; they never expire. */
    public SortedMap<CriticalReaderId, CriticalReaderState> criticalReaders() {
        return criticalReaders;
    }

    /** With critical reader {@code id} registered or replaced, and the since recomputed from every reader. */
    public ShardState withCriticalReader(CriticalReaderId id, CriticalReaderState reader) {
        SortedMap<CriticalReaderId, CriticalReaderState> updated = new TreeMap<>(criticalReaders);
        updated.put(id, reader);
        Frontier newSince = leastSince(readers, updated).map(least -> Frontier.max(since, least)).orElse(since);
        return new ShardState(shardId, seqNo, walltimeMs, applierVersion, codecs, newSince, batches, writers, readers,
                updated, commitMarkers, rollups, activeRollup);
    }

    /** The least since of the leased and critical readers, if there are any. */
    private static Optional<Frontier> leastSince(SortedMap<LeasedReaderId, ReaderState> leased,
            SortedMap<CriticalReaderId, CriticalReaderState> critical) {
        return Stream.concat(leased.values().stream().map(ReaderState::since),
                critical.values().stream().map(CriticalReaderState::since)).min(Frontier::compareTo);
    }

    public ShardState withWriter(WriterId id, WriterState writer) {
        SortedMap<WriterId, WriterState> updated = new TreeMap<>(writers);
        updated.put(id, writer);
        return with(batches, updated, readers);
    }

    public ShardState withoutWriter(WriterId id) {
        SortedMap<WriterId, WriterState> updated = new TreeMap<>(writers);
        updated.remove(id);
        return with(batches, updated, readers);
    }

    public ShardState withReader(LeasedReaderId id, ReaderState reader) {
        SortedMap<LeasedReaderId, ReaderState> updated = new TreeMap<>(readers);
        updated.put(id, reader);
        return with(batches, writers, updated);
    }

    public ShardState withoutReader(LeasedReaderId id) {
        SortedMap<LeasedReaderId, ReaderState> updated = new TreeMap<>(readers);
        updated.remove(id);
        return with(batches, writers, updated);
    }

    /**
     * Recomputes the since from the leased and critical readers: the least of theirs, never going back; unchanged
     * without readers.
     */
    private ShardState with(List<HollowBatch> newBatches, SortedMap<WriterId, WriterState> newWriters,
            SortedMap<LeasedReaderId, ReaderState> newReaders) {
        // Every append goes through here: one new state, nothing built twice.
        Frontier newSince = leastSince(newReaders, criticalReaders).map(least -> Frontier.max(since, least))
                .orElse(since);
        return new ShardState(shardId, seqNo, walltimeMs, applierVersion, codecs, newSince, newBatches, newWriters,
                newReaders, criticalReaders, commitMarkers, rollups, activeRollup);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardState other && other.shardId.equals(shardId) && other.seqNo.equals(seqNo)
                && other.walltimeMs == walltimeMs && other.applierVersion.equals(applierVersion)
                && other.codecs.equals(codecs) && other.since.equals(since) && other.batches.equals(batches)
                && other.writers.equals(writers) && other.readers.equals(readers)
                && other.criticalReaders.equals(criticalReaders)
                && other.commitMarkers.equals(commitMarkers) && other.rollups.equals(rollups)
                && other.activeRollup.equals(activeRollup);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shardId, seqNo, since, batches);
    }

    @Override
    public String toString() {
        return "ShardState{" + shardId + " " + seqNo + ", since=" + since + ", upper=" + upper() + ", batches="
                + batches.size() + ", writers=" + writers.keySet() + ", readers=" + readers.keySet() + ", rollups=" + rollups.keySet() + "}";
    }
}
