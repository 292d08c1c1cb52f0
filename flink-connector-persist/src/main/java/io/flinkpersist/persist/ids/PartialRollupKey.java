package io.flinkpersist.persist.ids;

/** The shard-relative key of a state rollup, {@code v<seqno>/r<uuid>}. */
public record PartialRollupKey(SeqNo seqNo, RollupId rollupId) {
    static final String SHAPE = "v<seqno>/r<uuid>, e.g. v128/r6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c";

    public PartialRollupKey {
        java.util.Objects.requireNonNull(seqNo, "seqNo");
        java.util.Objects.requireNonNull(rollupId, "rollupId");
    }

    public static PartialRollupKey parse(String input) {
        int slash = input == null ? -1 : input.indexOf('/');
        if (slash < 0) {
            throw new MalformedIdException("PartialRollupKey", input, SHAPE);
        }
        try {
            return new PartialRollupKey(SeqNo.parse(input.substring(0, slash)), RollupId.parse(input.substring(slash + 1)));
        } catch (MalformedIdException e) {
            throw new MalformedIdException("PartialRollupKey", input, SHAPE, e.getMessage());
        }
    }

    public String complete(ShardId shardId) {
        return shardId + "/" + this;
    }

    @Override
    public String toString() {
        return seqNo + "/" + rollupId;
    }
}
