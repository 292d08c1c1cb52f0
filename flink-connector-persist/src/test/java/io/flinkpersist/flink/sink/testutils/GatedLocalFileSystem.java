package io.flinkpersist.flink.sink.testutils;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system with a gate: once {@link #armNextPartUpload armed} for a shard, the next batch part written
 * under it waits until the gate opens, so that a test can hold a merge in progress for as long as it needs. Install it
 * with {@code fs.file.impl}; the gate is shared with the test, which runs in the same JVM.
 */
public final class GatedLocalFileSystem extends LocalFileSystem {
    private static final long MAX_WAIT_SECONDS = 120;
    private static final AtomicReference<Gate> GATE = new AtomicReference<>();

    public GatedLocalFileSystem() {
        super(new Raw());
    }

    /** Holds the next part upload under {@code shard} until {@link Gate#open()}. */
    public static Gate armNextPartUpload(String shard) {
        Gate gate = new Gate(shard);
        GATE.set(gate);
        return gate;
    }

    /** One armed gate: the upload it holds, and whether it holds one yet. */
    public static final class Gate {
        private final String shard;
        private final AtomicBoolean taken = new AtomicBoolean();
        private final CountDownLatch holding = new CountDownLatch(1);
        private final CountDownLatch opened = new CountDownLatch(1);

        private Gate(String shard) {
            this.shard = shard;
        }

        /** Waits until an upload waits at the gate. */
        public void awaitHolding() throws InterruptedException {
            if (!holding.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no part upload of shard " + shard + " reached the gate");
            }
        }

        /** Whether the held upload is still waiting. */
        public boolean isHolding() {
            return holding.getCount() == 0 && opened.getCount() > 0;
        }

        /** Lets the held upload, and every later one, through. */
        public void open() {
            opened.countDown();
            GATE.compareAndSet(this, null);
        }

        private void pass(Path path) throws IOException {
            String parent = path.getParent() == null ? "" : path.getParent().toString();
            // Parts only ("p…", also as a hidden temporary sibling ".p…"); rollups ("r…") are the state's.
            if (!parent.contains(shard) || !path.getName().matches("\\.?p.*")
                    || !taken.compareAndSet(false, true)) {
                return;
            }
            holding.countDown();
            try {
                if (!opened.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("the gate held part " + path + " longer than " + MAX_WAIT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the gate", e);
            }
        }
    }

    /** The raw file system the blob store writes with. */
    static final class Raw extends RawLocalFileSystem {
        @Override
        public FSDataOutputStream create(Path path, boolean overwrite, int bufferSize, short replication,
                long blockSize, Progressable progress) throws IOException {
            Gate gate = GATE.get();
            if (gate != null) {
                gate.pass(path);
            }
            return super.create(path, overwrite, bufferSize, replication, blockSize, progress);
        }
    }
}
