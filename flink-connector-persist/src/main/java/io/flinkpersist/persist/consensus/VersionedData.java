package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.ids.SeqNo;
import java.util.Arrays;
import java.util.Objects;

/** One version of a consensus key: its sequence number and opaque data (an encoded shard state). */
public record VersionedData(SeqNo seqNo, byte[] data) {
    public VersionedData {
        Objects.requireNonNull(seqNo, "seqNo");
        Objects.requireNonNull(data, "data");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionedData other && other.seqNo.equals(seqNo) && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return seqNo.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "VersionedData{" + seqNo + ", " + data.length + " bytes}";
    }
}
