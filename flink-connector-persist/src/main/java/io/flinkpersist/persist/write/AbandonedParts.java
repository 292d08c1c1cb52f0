package io.flinkpersist.persist.write;

/**
 * What {@link WriteHandle#deleteAbandonedParts} found of a writer session past the position it started at.
 *
 * @param deleted parts that existed, were referenced by no batch of the shard, and are now deleted
 * @param deletedBytes their total size
 * @param referenced parts that a batch of the shard references, kept
 * @param end the position after the last part found (deleted or kept); the start if none was found
 */
public record AbandonedParts(int deleted, long deletedBytes, int referenced, long end) {}
