package io.flinkpersist.persist.shard;

import io.flinkpersist.persist.location.PersistLocation;

class MemShardTest extends ShardContractTest {
    @Override
    protected PersistLocation location() {
        return PersistLocation.parse("mem://shard-test", "mem://shard-test");
    }
}
