package io.flinkpersist.persist.blob;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemBlobTest extends BlobContractTest {
    @Override
    protected Blob openBlob() {
        return new MemBlob();
    }

    @Test
    void namedInstancesAreSharedWithinTheJvm() {
        MemBlob.named("shared-test").set("k", new byte[] {1});
        assertThat(MemBlob.named("shared-test").get("k")).isPresent();
        assertThat(MemBlob.named("other-test").get("k")).isEmpty();
    }
}
