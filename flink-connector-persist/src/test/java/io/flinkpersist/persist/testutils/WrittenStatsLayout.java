package io.flinkpersist.persist.testutils;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.proto.stats.ProtoBytesStats;
import io.flinkpersist.persist.proto.stats.ProtoDynStats;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import java.util.Map;
import java.util.Optional;

/**
 * The tests' own statement of the part stats this build writes (docs/format.md, "Part statistics"), independent of
 * {@code PartStats}: the structural check of the layout, and the stats a part's data must have.
 */
public final class WrittenStatsLayout {
    private WrittenStatsLayout() {}

    /**
     * The stats in {@code bytes} if they are in the written layout: a {@code ProtoStructStats} with no unknown field
     * whose every column is {@code k} or {@code v} with both byte bounds, or {@code t} or {@code d} with both i64
     * bounds, and nothing else.
     */
    public static Optional<ProtoStructStats> parse(ByteString bytes) {
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

    /** The untrimmed stats of {@code updates}, byte bounds cut to {@code maxBoundBytes}. */
    public static ProtoStructStats expected(ColumnarRecords updates, int maxBoundBytes) {
        ProtoStructStats.Builder stats = ProtoStructStats.newBuilder().setLen(updates.len());
        if (updates.len() == 0) {
            return stats.build();
        }
        PartBounds bounds = PartBounds.of(updates);
        putBytes(stats, "k", bounds.minKey(), bounds.maxKey(), maxBoundBytes);
        putBytes(stats, "v", bounds.minValue(), bounds.maxValue(), maxBoundBytes);
        putI64(stats, "t", bounds.minTime(), bounds.maxTime());
        putI64(stats, "d", bounds.minDiff(), bounds.maxDiff());
        return stats.build();
    }

    private static void putBytes(ProtoStructStats.Builder stats, String column, byte[] min, byte[] max, int maxBytes) {
        byte[] upper = PartBounds.upper(max, maxBytes);
        if (upper == null) {
            return;
        }
        stats.putCols(column, ProtoDynStats.newBuilder().setBytes(ProtoBytesStats.newBuilder()
                        .setPrimitive(ProtoPrimitiveStats.newBuilder()
                                .setLowerBytes(ByteString.copyFrom(PartBounds.lower(min, maxBytes)))
                                .setUpperBytes(ByteString.copyFrom(upper))))
                .build());
    }

    private static void putI64(ProtoStructStats.Builder stats, String column, long lower, long upper) {
        stats.putCols(column, ProtoDynStats.newBuilder()
                .setPrimitive(ProtoPrimitiveStats.newBuilder().setLowerI64(lower).setUpperI64(upper)).build());
    }
}
