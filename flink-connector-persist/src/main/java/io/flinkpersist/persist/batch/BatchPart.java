package io.flinkpersist.persist.batch;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One part of a batch, as recorded in shard state: a blob key with its size and bounds, or the updates
 * themselves inline. A thin view over {@link ProtoHollowBatchPart}, so fields this version does not know
 * (written by a newer one) are kept when the part is passed on.
 */
public record BatchPart(ProtoHollowBatchPart proto) {
    public BatchPart {
        Objects.requireNonNull(proto, "proto");
        if (proto.getKindCase() == ProtoHollowBatchPart.KindCase.KIND_NOT_SET) {
            throw new IllegalArgumentException("a batch part must have a key or inline updates");
        }
    }

    /** A part uploaded to blob under {@code key}, in persist's Row (k, v, t, d) format. */
    public static BatchPart hollow(PartialBatchKey key, long encodedSizeBytes, byte[] keyLower, long diffsSum,
            byte[] stats) {
        ProtoHollowBatchPart.Builder b = ProtoHollowBatchPart.newBuilder()
                .setKey(key.toString())
                .setEncodedSizeBytes(encodedSizeBytes)
                .setKeyLower(ByteString.copyFrom(keyLower))
                .setDiffsSum(diffsSum)
                .setRow(Empty.getDefaultInstance());
        if (stats != null) {
            b.setKeyStats(ByteString.copyFrom(stats));
        }
        return new BatchPart(b.build());
    }

    /**
     * A part whose updates are held in the batch metadata (no size, key lower, stats or diffs sum).
     *
     * @param encodedInlinePart an encoded {@code ProtoInlineBatchPart}
     */
    public static BatchPart inline(ByteString encodedInlinePart) {
        return new BatchPart(ProtoHollowBatchPart.newBuilder().setInline(encodedInlinePart).build());
    }

    public boolean isInline() {
        return proto.getKindCase() == ProtoHollowBatchPart.KindCase.INLINE;
    }

    /** Whether this part is a reference to a whole spilled run, which this version never writes. */
    public boolean isRunRef() {
        return proto.getKindCase() == ProtoHollowBatchPart.KindCase.RUN_REF;
    }

    /** The shard-relative key of a blob part. */
    public PartialBatchKey key() {
        if (proto.getKindCase() != ProtoHollowBatchPart.KindCase.KEY) {
            throw new IllegalStateException("part " + printableName() + " has no blob key");
        }
        return PartialBatchKey.parse(proto.getKey());
    }

    /** The full blob key of a blob part. */
    public String blobKey(ShardId shardId) {
        return key().complete(shardId);
    }

    public long encodedSizeBytes() {
        return proto.getEncodedSizeBytes();
    }

    /** A lower bound of the part's keys (a truncated minimum key); empty for inline parts. */
    public byte[] keyLower() {
        return proto.getKeyLower().toByteArray();
    }

    public OptionalLong diffsSum() {
        return proto.hasDiffsSum() ? OptionalLong.of(proto.getDiffsSum()) : OptionalLong.empty();
    }

    /** The frontier every time of the part is advanced to on read, if the batch was rewritten. */
    public Optional<Frontier> tsRewrite() {
        return proto.hasTsRewrite() ? Optional.of(FrontierProtos.fromStateAntichain(proto.getTsRewrite())) : Optional.empty();
    }

    /** The encoded {@code ProtoInlineBatchPart} of an inline part. */
    public ByteString encodedInlinePart() {
        if (!isInline()) {
            throw new IllegalStateException("part " + printableName() + " is not inline");
        }
        return proto.getInline();
    }

    /** The goodbytes of an inline part's updates (0 for blob parts, whose bytes live in blob). */
    public long inlineBytes() {
        return isInline() ? proto.getInline().size() : 0;
    }

    BatchPart withTsRewrite(Frontier frontier) {
        return new BatchPart(proto.toBuilder().setTsRewrite(FrontierProtos.toStateAntichain(frontier)).build());
    }

    /** The key, or a description of an inline part, for messages. */
    public String printableName() {
        return switch (proto.getKindCase()) {
            case KEY -> proto.getKey();
            case INLINE -> "<inline part of " + proto.getInline().size() + " bytes>";
            case RUN_REF -> proto.getRunRef().getKey();
            default -> "<empty part>";
        };
    }

    @Override
    public String toString() {
        return "BatchPart{" + printableName() + tsRewrite().map(f -> ", ts_rewrite=" + f).orElse("") + "}";
    }
}
