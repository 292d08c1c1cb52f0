package io.flinkpersist.flink.sink.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;

/** S3A with {@link FailingUploads}; install it with {@code fs.s3a.impl}. */
public final class FailingS3AFileSystem extends S3AFileSystem {
    @Override
    @SuppressWarnings("rawtypes") // S3A's own signature
    public FSDataOutputStreamBuilder createFile(Path path) {
        try {
            FailingUploads.check(path);
        } catch (IOException e) {
            // createFile declares no IOException: S3A itself reports such failures unchecked here.
            throw new UncheckedIOException(e);
        }
        return super.createFile(path);
    }
}
