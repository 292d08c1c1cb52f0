package io.flinkpersist.persist.batch;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.proto.stats.ProtoBytesStats;
import io.flinkpersist.persist.proto.stats.ProtoDynStats;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The test's own statement of what {@link PartStats} writes, independent of it: the structural check of the layout
 * (docs/format.md, "Part statistics") and the stats a part's data should have.
 */
final class WrittenStatsLayout {
    private WrittenStatsLayout() {}

    /**
     * The stats in {@code bytes} if they are in the written layout: a {@code ProtoStructStats} with no unknown field
     * whose every column is {@code k} or {@code v} with both byte bounds, or {@code t} or {@code d} with both i64
     * bounds, and nothing else.
     */
    static Optional<ProtoStructStats> parse(ByteString bytes) {
        ProtoStructStats stats;
        try {
            stats = ProtoStructStats.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
        if (!stats.getUnknownFields().asMap().isEmpty()) {
            return Optional.empty();
        }
        for (Map.Entry<String, ProtoDynStats> column : stats.getColsMap().entrySet()) {
            if (!isWrittenColumn(column.getKey(), column.getValue())) {
                return Optional.empty();
            }
        }
        return Optional.of(stats);
    }

    private static boolean isWrittenColumn(String name, ProtoDynStats column) {
        if (column.hasOption() || !column.getUnknownFields().asMap().isEmpty()) {
            return false;
        }
        return switch (name) {
            case "k", "v" -> column.hasBytes() && column.getBytes().getUnknownFields().asMap().isEmpty()
                    && column.getBytes().hasPrimitive()
                    && bounds(column.getBytes().getPrimitive(), ProtoPrimitiveStats.LowerCase.LOWER_BYTES,
                            ProtoPrimitiveStats.UpperCase.UPPER_BYTES);
            case "t", "d" -> column.hasPrimitive() && bounds(column.getPrimitive(),
                    ProtoPrimitiveStats.LowerCase.LOWER_I64, ProtoPrimitiveStats.UpperCase.UPPER_I64);
            default -> false;
        };
    }

    private static boolean bounds(ProtoPrimitiveStats stats, ProtoPrimitiveStats.LowerCase lower,
            ProtoPrimitiveStats.UpperCase upper) {
        return stats.getLowerCase() == lower && stats.getUpperCase() == upper
                && stats.getUnknownFields().asMap().isEmpty();
    }

    /** The untrimmed stats of {@code updates}, found by sorting copies of each column. */
    static ProtoStructStats expected(ColumnarRecords updates, int maxBoundBytes) {
        int len = updates.len();
        ProtoStructStats.Builder stats = ProtoStructStats.newBuilder().setLen(len);
        if (len == 0) {
            return stats.build();
        }
        byte[][] keys = new byte[len][];
        byte[][] values = new byte[len][];
        long[] times = new long[len];
        long[] diffs = new long[len];
        for (int i = 0; i < len; i++) {
            keys[i] = updates.key(i);
            values[i] = updates.value(i);
            times[i] = updates.time(i);
            diffs[i] = updates.diff(i);
        }
        Arrays.sort(keys, Arrays::compareUnsigned);
        Arrays.sort(values, Arrays::compareUnsigned);
        Arrays.sort(times);
        Arrays.sort(diffs);
        bytes(stats, "k", keys[0], keys[len - 1], maxBoundBytes);
        bytes(stats, "v", values[0], values[len - 1], maxBoundBytes);
        i64(stats, "t", times[0], times[len - 1]);
        i64(stats, "d", diffs[0], diffs[len - 1]);
        return stats.build();
    }

    private static void bytes(ProtoStructStats.Builder stats, String column, byte[] min, byte[] max, int maxBytes) {
        byte[] lower = Arrays.copyOf(min, Math.min(min.length, maxBytes));
        byte[] upper = max;
        if (max.length > maxBytes) {
            int last = maxBytes - 1;
            while (last >= 0 && max[last] == (byte) 0xff) {
                last--;
            }
            if (last < 0) {
                return;
            }
            upper = Arrays.copyOf(max, last + 1);
            upper[last]++;
        }
        stats.putCols(column, ProtoDynStats.newBuilder().setBytes(ProtoBytesStats.newBuilder().setPrimitive(ProtoPrimitiveStats.newBuilder()
                        .setLowerBytes(ByteString.copyFrom(lower)).setUpperBytes(ByteString.copyFrom(upper))))
                .build());
    }

    private static void i64(ProtoStructStats.Builder stats, String column, long lower, long upper) {
        stats.putCols(column, ProtoDynStats.newBuilder()
                .setPrimitive(ProtoPrimitiveStats.newBuilder().setLowerI64(lower).setUpperI64(upper)).build());
    }
}
