package io.flinkpersist.persist.ids;

/** The shard-relative key of a batch part, {@code <writerkey>/<partid>}, as stored in shard state. */
public record PartialBatchKey(WriterKey writerKey, PartId partId) {
    static final String SHAPE = "<writerkey>/<partid>, e.g. n0001000/p6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c";

    public PartialBatchKey {
        java.util.Objects.requireNonNull(writerKey, "writerKey");
        java.util.Objects.requireNonNull(partId, "partId");
    }

    public static PartialBatchKey parse(String input) {
        int slash = input == null ? -1 : input.indexOf('/');
        if (slash < 0) {
            throw new MalformedIdException("PartialBatchKey", input, SHAPE);
        }
        try {
            return new PartialBatchKey(WriterKey.parse(input.substring(0, slash)), PartId.parse(input.substring(slash + 1)));
        } catch (MalformedIdException e) {
            throw new MalformedIdException("PartialBatchKey", input, SHAPE, e.getMessage());
        }
    }

    /** The full blob key of this part in the given shard. */
    public String complete(ShardId shardId) {
        return shardId + "/" + this;
    }

    @Override
    public String toString() {
        return writerKey + "/" + partId;
    }
}
