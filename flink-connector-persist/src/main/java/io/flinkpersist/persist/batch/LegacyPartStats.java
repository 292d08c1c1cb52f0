package io.flinkpersist.persist.batch;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.stats.ProtoLegacyBytesBounds;
import io.flinkpersist.persist.proto.stats.ProtoLegacyColumnStats;
import io.flinkpersist.persist.proto.stats.ProtoLegacyI64Bounds;
import io.flinkpersist.persist.proto.stats.ProtoLegacyPartStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The part stats of builds up to commit 6a7e29e ({@code ProtoLegacyPartStats}, a layout of their own), recognised by
 * their structure and rewritten in persist's layout ({@link PartStats}) whenever a {@link HollowBatch} is made (from a
 * decoded state, diff or transmittable batch), so that shards written by those builds end up with stats persist can
 * read. Stats of any other layout are kept byte for byte.
 *
 * <p>Legacy stats are those that parse as {@code ProtoLegacyPartStats} with no unknown field, whose every column is
 * {@code k} or {@code v} with bytes bounds or {@code t} or {@code d} with i64 bounds: what those builds wrote. Stats
 * {@link PartStats} writes never pass: both messages have the length as field 1 and the columns as a string-keyed
 * map in field 2, but a legacy column value holds only fields 1 and 2 (its kinds), which persist's
 * {@code ProtoDynStats} reads as {@code option} and {@code struct}, never as written by {@code PartStats}; and a
 * {@code PartStats} column holds field 3 or 4 ({@code primitive}, {@code bytes}), unknown to the legacy message.
 * So no column passes both readings; bytes without columns (trimmed stats, an empty part's) pass both, and mean the
 * same in both: they are left as they are.
 */
final class LegacyPartStats {
    private static final int COLUMNS_TAG = lengthDelimitedTag(ProtoLegacyPartStats.COLUMNS_FIELD_NUMBER);
    /** The value of a map entry is its field 2. */
    private static final int ENTRY_VALUE_TAG = lengthDelimitedTag(2);
    private static final int BYTES_TAG = lengthDelimitedTag(ProtoLegacyColumnStats.BYTES_FIELD_NUMBER);
    private static final int I64_TAG = lengthDelimitedTag(ProtoLegacyColumnStats.I64_FIELD_NUMBER);

    private LegacyPartStats() {}

    /** {@code part} itself, unless its stats are legacy ones: then the part with them in persist's layout. */
    static ProtoHollowBatchPart upgrade(ProtoHollowBatchPart part) {
        if (!part.hasKeyStats() || !mayHoldLegacyColumn(part.getKeyStats())) {
            return part;
        }
        return parse(part.getKeyStats())
                .map(legacy -> part.toBuilder().setKeyStats(toStructStats(legacy).toByteString()).build())
                .orElse(part);
    }

    /** The stats encoded in {@code bytes} if they are legacy ones. */
    static Optional<ProtoLegacyPartStats> parse(ByteString bytes) {
        ProtoLegacyPartStats stats;
        try {
            stats = ProtoLegacyPartStats.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
        if (!stats.getUnknownFields().asMap().isEmpty()) {
            return Optional.empty();
        }
        for (Map.Entry<String, ProtoLegacyColumnStats> column : stats.getColumnsMap().entrySet()) {
            if (!isWrittenColumn(column.getKey(), column.getValue())) {
                return Optional.empty();
            }
        }
        return Optional.of(stats);
    }

    private static boolean isWrittenColumn(String name, ProtoLegacyColumnStats column) {
        ProtoLegacyColumnStats.KindCase expected = switch (name) {
            case PartStats.KEY, PartStats.VALUE -> ProtoLegacyColumnStats.KindCase.BYTES;
            case PartStats.TIME, PartStats.DIFF -> ProtoLegacyColumnStats.KindCase.I64;
            default -> null;
        };
        if (column.getKindCase() != expected || !column.getUnknownFields().asMap().isEmpty()) {
            return false;
        }
        return expected == ProtoLegacyColumnStats.KindCase.BYTES
                ? column.getBytes().getUnknownFields().asMap().isEmpty()
                : column.getI64().getUnknownFields().asMap().isEmpty();
    }

    /**
     * The same bounds in persist's layout, as {@link PartStats} writes them: a byte column without an upper (its
     * greatest value has no short one) is left out, as persist requires both bounds.
     */
    static ProtoStructStats toStructStats(ProtoLegacyPartStats legacy) {
        ProtoStructStats.Builder stats = ProtoStructStats.newBuilder().setLen(legacy.getLen());
        legacy.getColumnsMap().forEach((name, column) -> {
            if (column.hasBytes()) {
                ProtoLegacyBytesBounds bounds = column.getBytes();
                if (bounds.hasUpper()) {
                    PartStats.putBytes(stats, name, bounds.getLower(), bounds.getUpper());
                }
            } else {
                ProtoLegacyI64Bounds bounds = column.getI64();
                PartStats.putI64(stats, name, bounds.getLower(), bounds.getUpper());
            }
        });
        return stats.build();
    }

    /**
     * A quick look, without parsing, for what legacy stats with a column must hold: a column value that starts with
     * one of the legacy kinds. Stats {@link PartStats} writes, whose column values start with field 3 or 4, are
     * passed over without being parsed. Bytes that do not read as protobuf are left to the parse to judge.
     */
    static boolean mayHoldLegacyColumn(ByteString stats) {
        CodedInputStream in = stats.newCodedInput();
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag != COLUMNS_TAG) {
                    in.skipField(tag);
                    continue;
                }
                int entryEnd = in.pushLimit(in.readRawVarint32());
                for (int entryTag = in.readTag(); entryTag != 0; entryTag = in.readTag()) {
                    if (entryTag != ENTRY_VALUE_TAG) {
                        in.skipField(entryTag);
                        continue;
                    }
                    int valueEnd = in.pushLimit(in.readRawVarint32());
                    int first = in.readTag();
                    if (first == BYTES_TAG || first == I64_TAG) {
                        return true;
                    }
                    in.skipRawBytes(in.getBytesUntilLimit());
                    in.popLimit(valueEnd);
                }
                in.popLimit(entryEnd);
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static int lengthDelimitedTag(int field) {
        return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }
}
