package io.flinkpersist.persist.maintenance;

import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.ids.BlobKey;
import io.flinkpersist.persist.ids.MalformedIdException;
import io.flinkpersist.persist.state.Applier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the parts of a shard that no retained state version references and that are older than a grace period:
 * uploads of attempts that failed before their batch was appended and could not be found again, outputs of merges
 * interrupted before they were applied, parts a collection that stopped midway no longer tracks.
 *
 * <p>The rule: a part may still be appended as long as a batch that holds it can be committed; a writer's batch
 * is committed within its checkpoint (or the retries of its commit), and a restored checkpoint or savepoint
 * commits its batches again. So the grace period must exceed the longest time from a part's upload to its commit,
 * including the age of any savepoint that may be restored; the shard is listed before its versions are read, so a
 * part appended meanwhile counts as referenced.
 */
final class OrphanSweep {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanSweep.class);

    private OrphanSweep() {}

    private record Listed(String key, long size, long modifiedMs) {}

    static OrphanSweepResult sweep(Applier applier, Blob blob, Duration grace) {
        // The store stamps modification times with its own clock, the wall clock, not the shard's lease clock.
        long cutoff = System.currentTimeMillis() - grace.toMillis();
        List<Listed> parts = new ArrayList<>();
        String prefix = applier.shardId() + "/";
        blob.listWithTimes(prefix, (key, size, modified) -> {
            if (isPart(key)) {
                parts.add(new Listed(key, size, modified));
            }
        });
        Set<String> referenced = applier.partsOfRetainedVersions();
        int unreferenced = 0;
        int young = 0;
        int deleted = 0;
        long deletedBytes = 0;
        for (Listed part : parts) {
            if (referenced.contains(part.key())) {
                continue;
            }
            unreferenced++;
            if (part.modifiedMs() > cutoff) {
                young++;
                continue;
            }
            if (blob.delete(part.key()).isPresent()) {
                deleted++;
                deletedBytes += part.size();
            }
        }
        if (deleted > 0) {
            LOG.info("Deleted {} orphaned parts ({} bytes) of shard {} older than {}; {} younger ones kept", deleted,
                    deletedBytes, applier.shardId(), grace, young);
        }
        return new OrphanSweepResult(parts.size(), unreferenced, deleted, deletedBytes, young);
    }

    /** Batch parts only: rollups are garbage collection's, and keys that are not persist's are not ours. */
    private static boolean isPart(String key) {
        try {
            return BlobKey.parseIds(key) instanceof BlobKey.BatchPart;
        } catch (MalformedIdException e) {
            return false;
        }
    }
}
