package io.flinkpersist.persist.shard;

import io.flinkpersist.persist.location.PersistLocation;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** SQLite and a local directory: the embedded defaults. */
class EmbeddedShardTest extends ShardContractTest {
    @TempDir
    Path dir;

    @Override
    protected PersistLocation location() {
        return PersistLocation.embedded(dir);
    }
}
