package io.flinkpersist.persist.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** The blob contract on S3A against a real S3-protocol server on 127.0.0.1. */
class S3HadoopBlobITCase extends BlobContractTest {
    private static final S3ProxyServer S3 = S3ProxyServer.shared();
    private String bucket;

    @Override
    protected Blob openBlob() {
        bucket = S3.createBucket();
        return HadoopBlob.open(URI.create("s3a://" + bucket + "/env/prod"), S3.s3aOptions());
    }

    @Test
    void objectsLandUnderTheUriPrefixAsPlainS3Objects() {
        blob.set("s1/n0000100/p1", new byte[] {9, 8, 7});
        try (S3Client s3 = S3.client()) {
            ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(b -> b.bucket(bucket).key("env/prod/s1/n0000100/p1"));
            assertThat(object.asByteArray()).containsExactly(9, 8, 7);
        }
    }

    @Test
    void credentialsNeverAppearInToStringOrErrors() {
        assertThat(blob.toString()).doesNotContain(S3ProxyServer.SECRET_KEY).doesNotContain(S3ProxyServer.ACCESS_KEY);
        Map<String, String> wrongSecret = new HashMap<>(S3.s3aOptions());
        wrongSecret.put("fs.s3a.secret.key", "wrong-secret-value-xyz");
        try (Blob denied = HadoopBlob.open(URI.create("s3a://" + bucket + "/x"), wrongSecret)) {
            assertThatThrownBy(() -> denied.set("k", new byte[] {1}))
                    .isInstanceOf(ExternalException.class)
                    .satisfies(e -> assertThat(fullText(e))
                            .doesNotContain("wrong-secret-value-xyz")
                            .doesNotContain(S3ProxyServer.SECRET_KEY));
        }
    }

    @Test
    void credentialsInTheUriAreRejected() {
        assertThatThrownBy(() -> HadoopBlob.open(URI.create("s3a://AKIA:secret@" + bucket + "/x"), S3.s3aOptions()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without credentials")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret@"));
    }

    private static String fullText(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                text.append(s).append('\n');
            }
        }
        return text.toString();
    }
}
