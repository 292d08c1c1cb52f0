package io.flinkpersist.persist.batch;

import com.google.protobuf.ByteString;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.proto.stats.ProtoBytesBounds;
import io.flinkpersist.persist.proto.stats.ProtoColumnStats;
import io.flinkpersist.persist.proto.stats.ProtoI64Bounds;
import io.flinkpersist.persist.proto.stats.ProtoPartStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Bounds of a part's columns ({@code k}, {@code v}, {@code t}, {@code d}), stored in the part's
 * {@code key_stats} so readers can skip parts without fetching them. Byte bounds are truncated to a fixed
 * length so that stats stay small whatever the key size.
 */
final class PartStats {
    static final String KEY = "k";
    static final String VALUE = "v";
    static final String TIME = "t";
    static final String DIFF = "d";

    private final ProtoPartStats proto;

    private PartStats(ProtoPartStats proto) {
        this.proto = proto;
    }

    ProtoPartStats proto() {
        return proto;
    }

    /** The stats of a non-empty part, byte bounds truncated to {@code maxBoundBytes}. */
    static PartStats of(ColumnarRecords updates, int maxBoundBytes) {
        int len = updates.len();
        if (len == 0) {
            return new PartStats(ProtoPartStats.getDefaultInstance());
        }
        int minKey = 0;
        int maxKey = 0;
        int minVal = 0;
        int maxVal = 0;
        long minT = Long.MAX_VALUE;
        long maxT = Long.MIN_VALUE;
        long minD = Long.MAX_VALUE;
        long maxD = Long.MIN_VALUE;
        for (int i = 0; i < len; i++) {
            if (updates.compareKeys(i, minKey) < 0) {
                minKey = i;
            }
            if (updates.compareKeys(i, maxKey) > 0) {
                maxKey = i;
            }
            if (updates.compareValues(i, minVal) < 0) {
                minVal = i;
            }
            if (updates.compareValues(i, maxVal) > 0) {
                maxVal = i;
            }
            minT = Math.min(minT, updates.time(i));
            maxT = Math.max(maxT, updates.time(i));
            minD = Math.min(minD, updates.diff(i));
            maxD = Math.max(maxD, updates.diff(i));
        }
        return new PartStats(ProtoPartStats.newBuilder()
                .setLen(len)
                .putColumns(KEY, bytesStats(updates.key(minKey), updates.key(maxKey), maxBoundBytes))
                .putColumns(VALUE, bytesStats(updates.value(minVal), updates.value(maxVal), maxBoundBytes))
                .putColumns(TIME, i64Stats(minT, maxT))
                .putColumns(DIFF, i64Stats(minD, maxD))
                .build());
    }

    private static ProtoColumnStats bytesStats(byte[] min, byte[] max, int maxBoundBytes) {
        ProtoBytesBounds.Builder bounds = ProtoBytesBounds.newBuilder()
                .setLower(ByteString.copyFrom(ByteBounds.truncateLower(min, maxBoundBytes)));
        byte[] upper = ByteBounds.truncateUpper(max, maxBoundBytes);
        if (upper != null) {
            bounds.setUpper(ByteString.copyFrom(upper));
        }
        return ProtoColumnStats.newBuilder().setBytes(bounds).build();
    }

    private static ProtoColumnStats i64Stats(long min, long max) {
        return ProtoColumnStats.newBuilder().setI64(ProtoI64Bounds.newBuilder().setLower(min).setUpper(max)).build();
    }

    /** Encoded stats after trimming, and how many bytes trimming removed. */
    record Trimmed(byte[] encoded, long trimmedBytes) {}

    /**
     * Drops columns, largest first, until the encoding fits {@code budgetBytes}; columns the untrimmable
     * rules name are kept even if the budget is then exceeded.
     */
    Trimmed trimToBudget(int budgetBytes, UntrimmableColumns untrimmable) {
        int original = proto.getSerializedSize();
        if (original <= budgetBytes) {
            return new Trimmed(proto.toByteArray(), 0);
        }
        List<Map.Entry<String, ProtoColumnStats>> trimmable = new ArrayList<>();
        for (Map.Entry<String, ProtoColumnStats> column : proto.getColumnsMap().entrySet()) {
            if (!untrimmable.shouldRetain(column.getKey())) {
                trimmable.add(column);
            }
        }
        trimmable.sort(Comparator.<Map.Entry<String, ProtoColumnStats>>comparingInt(e -> e.getValue().getSerializedSize())
                .reversed()
                .thenComparing(Map.Entry::getKey));
        ProtoPartStats.Builder trimmed = proto.toBuilder();
        for (Map.Entry<String, ProtoColumnStats> column : trimmable) {
            if (trimmed.build().getSerializedSize() <= budgetBytes) {
                break;
            }
            trimmed.removeColumns(column.getKey());
        }
        byte[] encoded = trimmed.build().toByteArray();
        return new Trimmed(encoded, original - encoded.length);
    }

    static PartStats decode(byte[] encoded) {
        try {
            return new PartStats(ProtoPartStats.parseFrom(encoded));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("part stats cannot be decoded: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "PartStats" + Arrays.toString(proto.getColumnsMap().keySet().toArray());
    }
}
