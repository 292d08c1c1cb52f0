package io.flinkpersist.persist.batch;

import com.google.protobuf.ByteString;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.proto.stats.ProtoBytesStats;
import io.flinkpersist.persist.proto.stats.ProtoDynStats;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Bounds of a part's columns ({@code k}, {@code v}, {@code t}, {@code d}), stored in the part's {@code key_stats}
 * as persist's {@code ProtoStructStats} so that readers, persist's included, can skip parts without fetching them.
 * Byte bounds are truncated to a fixed length so that stats stay small whatever the key size.
 *
 * <p>Every column written has both bounds: persist reads a column without an upper as malformed, so a byte column
 * whose greatest value has no short upper (its prefix is all {@code 0xff}) is left out.
 */
final class PartStats {
    static final String KEY = "k";
    static final String VALUE = "v";
    static final String TIME = "t";
    static final String DIFF = "d";

    private final ProtoStructStats proto;

    private PartStats(ProtoStructStats proto) {
        this.proto = proto;
    }

    /**
     * The stats of a part, byte bounds truncated to {@code maxBoundBytes}.
     *
     * @param sortedByKey whether the updates are in ascending key order (a consolidated part: sorted by key, value
     *     and time), so that the first and last keys are the bounds and need no comparisons
     */
    static PartStats of(ColumnarRecords updates, int maxBoundBytes, boolean sortedByKey) {
        int len = updates.len();
        if (len == 0) {
            return new PartStats(ProtoStructStats.getDefaultInstance());
        }
        int minKey = 0;
        int maxKey = sortedByKey ? len - 1 : 0;
        int minVal = 0;
        int maxVal = 0;
        long minT = Long.MAX_VALUE;
        long maxT = Long.MIN_VALUE;
        long minD = Long.MAX_VALUE;
        long maxD = Long.MIN_VALUE;
        for (int i = 0; i < len; i++) {
            if (!sortedByKey) {
                if (updates.compareKeys(i, minKey) < 0) {
                    minKey = i;
                }
                if (updates.compareKeys(i, maxKey) > 0) {
                    maxKey = i;
                }
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
        ProtoStructStats.Builder stats = ProtoStructStats.newBuilder().setLen(len);
        putBytes(stats, KEY, updates.key(minKey), updates.key(maxKey), maxBoundBytes);
        putBytes(stats, VALUE, updates.value(minVal), updates.value(maxVal), maxBoundBytes);
        putI64(stats, TIME, minT, maxT);
        putI64(stats, DIFF, minD, maxD);
        return new PartStats(stats.build());
    }

    /** Adds the truncated bounds of a byte column, unless it has no short upper bound. */
    static void putBytes(ProtoStructStats.Builder stats, String column, byte[] min, byte[] max, int maxBoundBytes) {
        byte[] upper = ByteBounds.truncateUpper(max, maxBoundBytes);
        if (upper != null) {
            putBytes(stats, column, ByteString.copyFrom(ByteBounds.truncateLower(min, maxBoundBytes)),
                    ByteString.copyFrom(upper));
        }
    }

    /** Adds the bounds of a byte column, already truncated. */
    static void putBytes(ProtoStructStats.Builder stats, String column, ByteString lower, ByteString upper) {
        ProtoPrimitiveStats bounds = ProtoPrimitiveStats.newBuilder().setLowerBytes(lower).setUpperBytes(upper).build();
        stats.putCols(column, ProtoDynStats.newBuilder()
                .setBytes(ProtoBytesStats.newBuilder().setPrimitive(bounds))
                .build());
    }

    /** Adds the inclusive bounds of a signed 64-bit column. */
    static void putI64(ProtoStructStats.Builder stats, String column, long lower, long upper) {
        stats.putCols(column, ProtoDynStats.newBuilder()
                .setPrimitive(ProtoPrimitiveStats.newBuilder().setLowerI64(lower).setUpperI64(upper))
                .build());
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
        List<Map.Entry<String, ProtoDynStats>> trimmable = new ArrayList<>();
        for (Map.Entry<String, ProtoDynStats> column : proto.getColsMap().entrySet()) {
            if (!untrimmable.shouldRetain(column.getKey())) {
                trimmable.add(column);
            }
        }
        trimmable.sort(Comparator.<Map.Entry<String, ProtoDynStats>>comparingInt(e -> e.getValue().getSerializedSize())
                .reversed()
                .thenComparing(Map.Entry::getKey));
        ProtoStructStats.Builder trimmed = proto.toBuilder();
        for (Map.Entry<String, ProtoDynStats> column : trimmable) {
            if (trimmed.build().getSerializedSize() <= budgetBytes) {
                break;
            }
            trimmed.removeCols(column.getKey());
        }
        byte[] encoded = trimmed.build().toByteArray();
        return new Trimmed(encoded, original - encoded.length);
    }

    @Override
    public String toString() {
        return "PartStats" + proto.getColsMap().keySet();
    }
}
