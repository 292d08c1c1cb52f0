package io.flinkpersist.persist.ids;

/**
 * A full blob key, {@code <shard>/<partial key>}: either a batch part ({@code s…/n…/p…} or legacy
 * {@code s…/w…/p…}) or a state rollup ({@code s…/v…/r…}).
 */
public sealed interface BlobKey permits BlobKey.BatchPart, BlobKey.Rollup {
    String SHAPE = "<shard_id>/<writer_key>/<part_id> or <shard_id>/<seqno>/<rollup_id>";

    ShardId shardId();

    /** A key of a batch part. */
    record BatchPart(ShardId shardId, PartialBatchKey partialKey) implements BlobKey {
        @Override
        public String toString() {
            return partialKey.complete(shardId);
        }
    }

    /** A key of a state rollup. */
    record Rollup(ShardId shardId, PartialRollupKey partialKey) implements BlobKey {
        @Override
        public String toString() {
            return partialKey.complete(shardId);
        }
    }

    /** Parses a full key into its ids; anything else is a {@link MalformedIdException} naming both shapes. */
    static BlobKey parseIds(String input) {
        int slash = input == null ? -1 : input.indexOf('/');
        if (slash < 0) {
            throw new MalformedIdException("BlobKey", input, SHAPE);
        }
        String rest = input.substring(slash + 1);
        try {
            ShardId shard = ShardId.parse(input.substring(0, slash));
            if (rest.startsWith("n") || rest.startsWith(WriterId.PREFIX)) {
                return new BatchPart(shard, PartialBatchKey.parse(rest));
            }
            if (rest.startsWith("v")) {
                return new Rollup(shard, PartialRollupKey.parse(rest));
            }
        } catch (MalformedIdException e) {
            throw new MalformedIdException("BlobKey", input, SHAPE, e.getMessage());
        }
        throw new MalformedIdException("BlobKey", input, SHAPE);
    }

    /** The listing prefix of everything in a shard. */
    static String shardPrefix(ShardId shardId) {
        return shardId.toString();
    }

    /** The listing prefix of everything one writer key wrote in a shard. */
    static String writerPrefix(ShardId shardId, WriterKey writerKey) {
        return shardId + "/" + writerKey;
    }

    /** The listing prefix of a shard's rollups. */
    static String rollupsPrefix(ShardId shardId) {
        return shardId + "/v";
    }
}
