package io.flinkpersist.persist.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.BlobKey;
import io.flinkpersist.persist.ids.MalformedIdException;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where a shard's state versions are kept, as persist keeps them: consensus holds one {@link StateDiff} per
 * version, each naming the newest rollup; a rollup (the whole state of one version, {@link StateCodec}) is a
 * blob at {@code <shard>/v<seqno>/r<uuid>}. The latest state is the newest rollup with the diffs after it
 * applied, or, for a handle that already holds a state, that state with the diffs after it applied.
 *
 * <p>Versions written before consensus held diffs are whole states; they are read as such, and the first diff
 * after them names a rollup of the last one.
 */
public final class StateVersions {
    /** Blob deletes a garbage collection runs at once (persist's {@code persist_gc_blob_delete_concurrency_limit}). */
    static final int DELETE_CONCURRENCY = 32;
    /** Versions read per consensus scan. */
    static final int SCAN_PAGE = 1024;
    /** How often a head whose rollup is gone is read again before the shard is declared corrupt. */
    private static final int MISSING_ROLLUP_ATTEMPTS = 10;

    private final ShardId shardId;
    private final Consensus consensus;
    private final Blob blob;
    private final StateMetrics metrics;

    StateVersions(ShardId shardId, Consensus consensus, Blob blob, StateMetrics metrics) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        this.blob = Objects.requireNonNull(blob, "blob");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The latest state of {@code shardId}, or empty if it has none; reads only (for tools and tests). */
    public static Optional<ShardState> readLatest(ShardId shardId, Consensus consensus, Blob blob) {
        return new StateVersions(shardId, consensus, blob, new StateMetrics(() -> null)).fetchLatest(null);
    }

    /**
     * The latest state, or empty if the shard has none: {@code known} (may be null) with the versions after it
     * applied if consensus still holds them all, else the newest rollup with the versions after it applied.
     */
    Optional<ShardState> fetchLatest(ShardState known) {
        if (known != null) {
            ShardState applied = applyNewer(known);
            if (applied != null) {
                return Optional.of(rebuilt(known, applied));
            }
        }
        for (int attempt = 1; ; attempt++) {
            Optional<VersionedData> head = consensus.head(shardId.toString());
            if (head.isEmpty()) {
                return Optional.empty();
            }
            VersionedData version = head.get();
            if (StateCodec.isWholeState(shardId, version.data())) {
                return Optional.of(decodeWhole(version));
            }
            PartialRollupKey rollupKey = latestRollupKey(version);
            Optional<byte[]> rollup = blob.get(rollupKey.complete(shardId));
            if (rollup.isPresent()) {
                ShardState base = decodeRollup(rollupKey, rollup.get());
                ShardState applied = applyNewer(base);
                if (applied != null && applied.seqNo().compareTo(version.seqNo()) >= 0) {
                    requireRecordedSize(applied.rollups().get(rollupKey.seqNo()), rollupKey, rollup.get());
                    return Optional.of(rebuilt(base, applied));
                }
            }
            // The rollup (or the versions after it) went away after the head was read: a newer head names a newer one.
            if (attempt >= MISSING_ROLLUP_ATTEMPTS) {
                throw new CorruptStateException(shardId, version.seqNo(), "it names the rollup " + rollupKey
                        + (rollup.isPresent() ? ", but the versions after that rollup are gone"
                                : ", which is not in blob") + ", and " + attempt + " reads found no newer version");
            }
        }
    }

    /**
     * {@code applied}, checked once against the invariants of a state if diffs made it from {@code base}: a diff is
     * checked alone as it is applied, the state it leads to only here, so following a shard costs O(diff) per version.
     */
    private static ShardState rebuilt(ShardState base, ShardState applied) {
        if (applied != base) {
            StateInvariants.check(applied);
        }
        return applied;
    }

    /** {@code known} with every later version applied, or null if consensus no longer holds the one after it. */
    private ShardState applyNewer(ShardState known) {
        ShardState state = known;
        while (true) {
            SeqNo from = state.seqNo().next();
            List<VersionedData> versions = consensus.scan(shardId.toString(), from, SCAN_PAGE);
            if (versions.isEmpty()) {
                return state;
            }
            if (!versions.get(0).seqNo().equals(from)) {
                return null;
            }
            for (VersionedData version : versions) {
                state = applyVersion(state, version);
            }
            if (versions.size() < SCAN_PAGE) {
                return state;
            }
        }
    }

    private ShardState applyVersion(ShardState state, VersionedData version) {
        return applyVersion(state, version, true);
    }

    /** @param counted whether it counts as a diff this handle applied to follow the shard (not to collect garbage) */
    private ShardState applyVersion(ShardState state, VersionedData version, boolean counted) {
        if (StateCodec.isWholeState(shardId, version.data())) {
            return decodeWhole(version);
        }
        ProtoStateDiff diff = parseDiff(version);
        ShardState applied = StateDiff.apply(state, diff);
        if (counted) {
            metrics.diffApplied();
        }
        return applied;
    }

    /** The bytes that store {@code next} as the version after {@code current}: their diff, naming {@code next}'s newest rollup. */
    byte[] encodeVersion(ShardState current, ShardState next) {
        PartialRollupKey latestRollup = next.latestRollup().orElseThrow(() -> new IllegalStateException(
                "version " + next.seqNo() + " of shard " + shardId + " records no rollup")).getValue().key();
        return StateIntegrity.seal(StateDiff.between(current, next, latestRollup).toByteArray());
    }

    /** Writes {@code data} (from {@link #encodeVersion}) as version {@code next} iff the latest is {@code current}. */
    CasResult compareAndSet(SeqNo current, SeqNo next, byte[] data) {
        CasResult result = consensus.compareAndSet(shardId.toString(), Optional.of(current), new VersionedData(next, data));
        if (result == CasResult.COMMITTED) {
            metrics.diffWritten(data.length);
        }
        return result;
    }

    /** What a compare-and-set that failed indeterminately did, as consensus tells it now. */
    enum Landed { YES, NO, UNKNOWN }

    /**
     * Whether version {@code seqNo} holds exactly {@code data}: yes if it does, no if it holds something else or
     * does not exist yet, unknown if it was truncated since.
     */
    Landed landed(SeqNo seqNo, byte[] data) {
        List<VersionedData> found = consensus.scan(shardId.toString(), seqNo, 1);
        if (found.isEmpty()) {
            // Truncation never removes the head: no version at or after seqNo means none was written there.
            return Landed.NO;
        }
        if (!found.get(0).seqNo().equals(seqNo)) {
            return Landed.UNKNOWN;
        }
        return Arrays.equals(found.get(0).data(), data) ? Landed.YES : Landed.NO;
    }

    /**
     * Creates the shard's first version, {@code first}, which records its own rollup: the rollup is written
     * first, then the version naming it. A caller that did not commit (or cannot tell) reads the shard to find
     * out whose rollup it names.
     */
    CasResult initialize(ShardState first, PartialRollupKey rollupKey) {
        putRollup(rollupKey, first);
        ShardState nothing = first.withoutRollupsBelow(SeqNo.of(Long.MAX_VALUE)).at(SeqNo.MINIMUM, first.walltimeMs(),
                first.applierVersion());
        byte[] data = StateIntegrity.seal(StateDiff.between(nothing, first, rollupKey).toByteArray());
        CasResult result = consensus.compareAndSet(shardId.toString(), Optional.empty(), new VersionedData(first.seqNo(), data));
        if (result == CasResult.COMMITTED) {
            metrics.diffWritten(data.length);
        }
        return result;
    }

    /** Writes {@code state} as the rollup at {@code key} and returns its size. */
    long putRollup(PartialRollupKey key, ShardState state) {
        long start = System.nanoTime();
        byte[] bytes = StateCodec.encode(state);
        blob.set(key.complete(shardId), bytes);
        metrics.rollupWritten(bytes.length, System.nanoTime() - start);
        return bytes.length;
    }

    /** Deletes a rollup blob; deleting a missing one is not an error. */
    void deleteRollup(PartialRollupKey key) {
        if (blob.delete(key.complete(shardId)).isPresent()) {
            metrics.rollupDeleted();
        }
    }

    /**
     * Deletes the rollup blobs of this shard that {@code state} does not record and never will: those of versions
     * below its newest rollup (a rollup is recorded only while none newer is, so these are leftovers of handles that
     * stopped between writing a rollup and recording it, or lost the race to record one). Returns how many.
     */
    int deleteUnrecordedRollups(ShardState state) {
        Optional<SeqNo> newest = state.latestRollup().map(Map.Entry::getKey);
        if (newest.isEmpty()) {
            return 0;
        }
        List<PartialRollupKey> unrecorded = new ArrayList<>();
        blob.list(BlobKey.rollupsPrefix(shardId), (key, size) -> {
            BlobKey parsed;
            try {
                parsed = BlobKey.parseIds(key);
            } catch (MalformedIdException e) {
                return; // Not a rollup key: not ours to judge.
            }
            if (parsed instanceof BlobKey.Rollup rollup && rollup.partialKey().seqNo().compareTo(newest.get()) < 0) {
                HollowRollup recorded = state.rollups().get(rollup.partialKey().seqNo());
                if (recorded == null || !recorded.key().equals(rollup.partialKey())) {
                    unrecorded.add(rollup.partialKey());
                }
            }
        });
        unrecorded.forEach(this::deleteRollup);
        return unrecorded.size();
    }

    /**
     * The blob keys of the parts that versions from the oldest readable rollup up to {@code keepFrom} referenced and
     * version {@code keepFrom} no longer does: what a compaction or flush replaced, once no one can read those
     * versions any more. Part keys are never reused, so a part the state let go of is not referenced again later.
     * Versions whose rollup is already gone were collected before (parts go before rollups): they are skipped.
     * Returns nothing if {@code keepFrom}'s own rollup is gone, which means another handle collected past it.
     */
    Set<String> partsReleasedBelow(SortedMap<SeqNo, HollowRollup> rollups, SeqNo keepFrom) {
        if (rollups.headMap(keepFrom).isEmpty() || !anyBatchRemoved(rollups.firstKey(), keepFrom)) {
            return Set.of();
        }
        HollowRollup keep = rollups.get(keepFrom);
        Optional<ShardState> kept = keep == null ? Optional.empty() : readRollup(keep);
        Optional<ShardState> base = oldestReadable(rollups.headMap(keepFrom).values());
        if (kept.isEmpty() || base.isEmpty()) {
            return Set.of();
        }
        // Empty if truncated meanwhile by another handle's collection, which deleted these parts first.
        Set<String> released = partsOfVersions(base.get(), keepFrom).orElse(new HashSet<>());
        released.removeAll(partsOfVersions(kept.get(), keepFrom).orElseThrow());
        return released;
    }

    /**
     * The blob keys of the parts that some retained version references: every version from the oldest rollup
     * {@code latest} records that is still in blob up to {@code latest}. Versions below it are no longer readable.
     *
     * @throws IllegalStateException if a collection truncated those versions while they were read: the answer
     *     would miss what the versions after the gap reference, so the caller must read again rather than act on it
     */
    Set<String> partsOfRetainedVersions(ShardState latest) {
        Set<String> referenced = partsOfVersions(latest, latest.seqNo()).orElseThrow();
        Optional<ShardState> base = oldestReadable(latest.rollups().values());
        if (base.isPresent()) {
            referenced.addAll(partsOfVersions(base.get(), latest.seqNo()).orElseThrow(() -> new IllegalStateException(
                    "the versions of shard " + shardId + " from " + base.get().seqNo() + " were truncated while "
                            + "they were read; read them again")));
        }
        return referenced;
    }

    /** The state of the oldest of {@code rollups} still in blob, if any is. */
    private Optional<ShardState> oldestReadable(Collection<HollowRollup> rollups) {
        for (HollowRollup rollup : rollups) {
            Optional<ShardState> state = readRollup(rollup);
            if (state.isPresent()) {
                return state;
            }
        }
        return Optional.empty();
    }

    /**
     * The blob keys of the parts that {@code base} and every version after it up to {@code to} reference, or empty
     * if consensus no longer holds all those versions.
     */
    private Optional<Set<String>> partsOfVersions(ShardState base, SeqNo to) {
        Set<HollowBatch> seen = new HashSet<>();
        Set<String> referenced = new HashSet<>();
        collectParts(base, seen, referenced);
        ShardState state = base;
        while (state.seqNo().compareTo(to) < 0) {
            List<VersionedData> page = consensus.scan(shardId.toString(), state.seqNo().next(),
                    (int) Math.min(SCAN_PAGE, to.value() - state.seqNo().value()));
            if (page.isEmpty() || !page.get(0).seqNo().equals(state.seqNo().next())) {
                return Optional.empty();
            }
            for (VersionedData version : page) {
                state = applyVersion(state, version, false);
                collectParts(state, seen, referenced);
            }
        }
        return Optional.of(referenced);
    }

    /**
     * Whether a version in {@code (from, to]} removed or replaced a batch: only then can a part have been let go of,
     * and a collection reads rollups to find out which. Reads the diffs alone.
     */
    private boolean anyBatchRemoved(SeqNo from, SeqNo to) {
        SeqNo next = from.next();
        while (next.compareTo(to) <= 0) {
            List<VersionedData> page = consensus.scan(shardId.toString(), next,
                    (int) Math.min(SCAN_PAGE, to.value() - next.value() + 1));
            if (page.isEmpty()) {
                return false;
            }
            for (VersionedData version : page) {
                if (version.seqNo().compareTo(to) > 0) {
                    return false;
                }
                if (!StateCodec.isWholeState(shardId, version.data()) && StateDiff.removesBatches(parseDiff(version))) {
                    return true;
                }
                next = version.seqNo().next();
            }
        }
        return false;
    }

    private void collectParts(ShardState state, Set<HollowBatch> seen, Set<String> keys) {
        for (HollowBatch batch : state.batches()) {
            if (seen.add(batch)) {
                for (BatchPart part : batch.parts()) {
                    if (!part.isInline() && !part.isRunRef()) {
                        keys.add(part.blobKey(shardId));
                    }
                }
            }
        }
    }

    /**
     * The state an older rollup holds, or empty if its blob is gone; for collections, so it does not count as the
     * state this handle follows (whose size {@link StateMetrics#stateBytes} reports).
     */
    private Optional<ShardState> readRollup(HollowRollup rollup) {
        return blob.get(rollup.key().complete(shardId)).map(bytes -> {
            requireRecordedSize(rollup, rollup.key(), bytes);
            return decodeRollupState(rollup.key(), bytes);
        });
    }

    /**
     * Checks the rollup blob at {@code key} against the size the version that recorded it gave, if it gave one (the
     * first rollup, which names itself, has none): a later version vouches for the rollup's length, so a rollup cut
     * or extended is refused even without an integrity header (written before headers, or by persist).
     */
    private void requireRecordedSize(HollowRollup recorded, PartialRollupKey key, byte[] bytes) {
        if (recorded != null && recorded.key().equals(key) && recorded.encodedSizeBytes().isPresent()
                && recorded.encodedSizeBytes().getAsLong() != bytes.length) {
            throw new CorruptStateException(shardId, key.seqNo(), "its rollup " + key + " has " + bytes.length
                    + " bytes, but it was recorded with " + recorded.encodedSizeBytes().getAsLong());
        }
    }

    /**
     * Deletes blob parts that no retained version references, {@value #DELETE_CONCURRENCY} at a time as persist's
     * collection does: a collection of many replaced parts on an object store would otherwise take one round trip
     * per part on the thread of the transition that was assigned the rollup. Fails if any delete failed (after the
     * blob's retries); the next collection deletes what is left.
     */
    void deleteParts(Set<String> blobKeys) {
        if (blobKeys.isEmpty()) {
            return;
        }
        int threads = Math.min(DELETE_CONCURRENCY, blobKeys.size());
        ExecutorService deleters = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "persist-gc-" + shardId);
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Void>> deletes = new ArrayList<>();
            for (String key : blobKeys) {
                deletes.add(CompletableFuture.runAsync(() -> blob.delete(key)
                        .ifPresent(metrics::partDeleted), deleters));
            }
            CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        } finally {
            deleters.shutdown();
        }
    }

    /** Deletes the consensus versions below {@code seqNo}. */
    long truncateBelow(SeqNo seqNo) {
        long deleted = consensus.truncate(shardId.toString(), seqNo);
        metrics.versionsTruncated(deleted);
        return deleted;
    }

    private PartialRollupKey latestRollupKey(VersionedData version) {
        PartialRollupKey key = StateDiff.latestRollupKey(shardId, parseDiff(version));
        if (key.seqNo().compareTo(version.seqNo()) > 0) {
            throw new CorruptStateException(shardId, version.seqNo(), "it names the rollup " + key + " of a later version");
        }
        return key;
    }

    /**
     * The diff version {@code version} holds, checked against its integrity header if it has one.
     *
     * @throws CorruptStateException if it is not a whole, intact diff to that version
     */
    private ProtoStateDiff parseDiff(VersionedData version) {
        StateIntegrity.Body body = StateIntegrity.open(shardId, version.seqNo(), version.data(),
                ProtoStateDiff.getDescriptor());
        ProtoStateDiff diff;
        try {
            diff = ProtoStateDiff.parseFrom(body.bytes());
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptStateException(shardId, version.seqNo(), "it is not a state diff: " + e.getMessage(), e);
        }
        if (diff.hasIntegrity()) {
            throw new CorruptStateException(shardId, version.seqNo(), "it has an integrity header that is not its first field");
        }
        if (diff.getSeqnoTo() != version.seqNo().value()) {
            throw new CorruptStateException(shardId, version.seqNo(), "it holds the diff to v" + diff.getSeqnoTo());
        }
        return diff;
    }

    private ShardState decodeWhole(VersionedData version) {
        return StateCodec.decode(shardId, version.seqNo(), version.data());
    }

    private ShardState decodeRollup(PartialRollupKey key, byte[] bytes) {
        ShardState state = decodeRollupState(key, bytes);
        metrics.rollupRead(bytes.length);
        return state;
    }

    private ShardState decodeRollupState(PartialRollupKey key, byte[] bytes) {
        return StateCodec.decode(shardId, key.seqNo(), bytes);
    }
}
