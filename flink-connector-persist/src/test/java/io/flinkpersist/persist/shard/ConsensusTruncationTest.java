package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.WriteHandle;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Old state versions are deleted, except those a reader may still hold. */
class ConsensusTruncationTest {
    @Test
    void theLogStaysShortAndReaderHoldsAreKept() {
        String name = "truncation-" + UUID.randomUUID();
        ShardId shard = ShardId.random();
        try (PersistClient client = PersistClient.open(PersistLocation.parse("mem://" + name, "mem://" + name),
                PersistConfig.defaults())) {
            WriteHandle writer = client.openWriter(shard, ShardContractTest.CODECS);
            for (long t = 0; t < 100; t++) {
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
            }
            List<VersionedData> versions = MemConsensus.named(name).scan(shard.toString(), SeqNo.MINIMUM, 1000);
            assertThat(versions.size()).isLessThan(40);
            assertThat(versions.get(versions.size() - 1).seqNo().value()).isEqualTo(101);

            ReadHandle reader = client.openReader(shard, ShardContractTest.CODECS);
            long held = reader.fetchRecentUpper().element().orElseThrow();
            for (long t = held; t < held + 100; t++) {
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
            }
            // The reader registered at v102 and never heartbeat since: v102 onwards stay.
            assertThat(MemConsensus.named(name).scan(shard.toString(), SeqNo.MINIMUM, 1).get(0).seqNo().value())
                    .isLessThanOrEqualTo(102);
            assertThat(MemConsensus.named(name).scan(shard.toString(), SeqNo.MINIMUM, 1000)).hasSizeGreaterThan(100);
        }
    }
}
