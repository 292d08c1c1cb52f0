package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.location.ConsensusLocation;
import io.flinkpersist.persist.location.PersistLocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 'consensus.password' reaches the core intact, whatever characters it has, and never shows in the URI's form. */
class TableShardAddressTest {
    @ParameterizedTest
    @ValueSource(strings = {"plain", "p@ss:w/rd?#&=", "with space+plus%25", "ünïcødé"})
    void thePasswordIsTheOneTheCoreReadsFromTheUri(String password) {
        String uri =
                TableShardAddress.withPassword("postgres://flink@db.example:5432/persist?sslmode=require", password);

        ConsensusLocation consensus = PersistLocation.parse("mem://blob", uri).consensus();
        assertThat(consensus).isEqualTo(new ConsensusLocation.Postgres(
                "jdbc:postgresql://db.example:5432/persist?sslmode=require", "flink", password));
        assertThat(consensus.toString()).doesNotContain(password);
    }
}
