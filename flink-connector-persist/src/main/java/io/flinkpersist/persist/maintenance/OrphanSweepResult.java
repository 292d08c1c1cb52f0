package io.flinkpersist.persist.maintenance;

/**
 * What one orphan sweep found.
 *
 * @param parts batch parts listed under the shard
 * @param unreferenced of those, parts no retained state version references
 * @param deleted unreferenced parts older than the grace period, deleted
 * @param deletedBytes their size
 * @param young unreferenced parts within the grace period, kept: a writer may still append them
 */
public record OrphanSweepResult(int parts, int unreferenced, int deleted, long deletedBytes, int young) {}
