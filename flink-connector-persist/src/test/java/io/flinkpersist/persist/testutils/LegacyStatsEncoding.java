package io.flinkpersist.persist.testutils;

import com.google.protobuf.ByteString;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.proto.stats.ProtoLegacyBytesBounds;
import io.flinkpersist.persist.proto.stats.ProtoLegacyColumnStats;
import io.flinkpersist.persist.proto.stats.ProtoLegacyI64Bounds;
import io.flinkpersist.persist.proto.stats.ProtoLegacyPartStats;

/** The part stats builds up to commit 6a7e29e wrote (docs/format.md, "Part statistics"), for upgrade tests. */
public final class LegacyStatsEncoding {
    private LegacyStatsEncoding() {}

    /** What those builds wrote for {@code updates} before trimming, byte bounds cut to {@code maxBoundBytes}. */
    public static ProtoLegacyPartStats of(ColumnarRecords updates, int maxBoundBytes) {
        ProtoLegacyPartStats.Builder stats = ProtoLegacyPartStats.newBuilder().setLen(updates.len());
        if (updates.len() == 0) {
            return stats.build();
        }
        PartBounds bounds = PartBounds.of(updates);
        stats.putColumns("k", bytes(bounds.minKey(), bounds.maxKey(), maxBoundBytes));
        stats.putColumns("v", bytes(bounds.minValue(), bounds.maxValue(), maxBoundBytes));
        stats.putColumns("t", i64(bounds.minTime(), bounds.maxTime()));
        stats.putColumns("d", i64(bounds.minDiff(), bounds.maxDiff()));
        return stats.build();
    }

    /** Bounds of a byte column; an upper only if a short one exists, as those builds wrote them. */
    public static ProtoLegacyColumnStats bytes(byte[] min, byte[] max, int maxBoundBytes) {
        ProtoLegacyBytesBounds.Builder bounds = ProtoLegacyBytesBounds.newBuilder()
                .setLower(ByteString.copyFrom(PartBounds.lower(min, maxBoundBytes)));
        byte[] upper = PartBounds.upper(max, maxBoundBytes);
        if (upper != null) {
            bounds.setUpper(ByteString.copyFrom(upper));
        }
        return ProtoLegacyColumnStats.newBuilder().setBytes(bounds).build();
    }

    public static ProtoLegacyColumnStats i64(long lower, long upper) {
        return ProtoLegacyColumnStats.newBuilder().setI64(ProtoLegacyI64Bounds.newBuilder().setLower(lower)
                .setUpper(upper)).build();
    }
}
