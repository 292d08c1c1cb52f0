package io.flinkpersist.flink.sink.testutils;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;

/** The local file system with {@link FailingUploads}; install it with {@code fs.file.impl}. */
public final class FailingLocalFileSystem extends LocalFileSystem {
    public FailingLocalFileSystem() {
        super(new Raw());
    }

    /** The raw file system the blob store writes with. */
    static final class Raw extends RawLocalFileSystem {
        @Override
        public FSDataOutputStream create(Path path, boolean overwrite, int bufferSize, short replication,
                long blockSize, Progressable progress) throws IOException {
            FailingUploads.check(path);
            return super.create(path, overwrite, bufferSize, replication, blockSize, progress);
        }
    }
}
