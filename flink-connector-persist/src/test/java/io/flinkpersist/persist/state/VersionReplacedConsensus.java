package io.flinkpersist.persist.state;

import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.SeqNo;
import java.util.List;
import java.util.Optional;

/** Reads of a consensus whose version {@code seqNo} holds {@code data} instead: a damaged value, read-only. */
record VersionReplacedConsensus(Consensus delegate, SeqNo seqNo, byte[] data) implements Consensus {
    @Override
    public Optional<VersionedData> head(String key) {
        return delegate.head(key).map(this::replaced);
    }

    @Override
    public List<VersionedData> scan(String key, SeqNo from, int limit) {
        return delegate.scan(key, from, limit).stream().map(this::replaced).toList();
    }

    private VersionedData replaced(VersionedData version) {
        return version.seqNo().equals(seqNo) ? new VersionedData(seqNo, data.clone()) : version;
    }

    @Override
    public CasResult compareAndSet(String key, Optional<SeqNo> expected, VersionedData next) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public long truncate(String key, SeqNo below) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public List<String> listKeys() {
        return delegate.listKeys();
    }

    @Override
    public void close() {}
}
