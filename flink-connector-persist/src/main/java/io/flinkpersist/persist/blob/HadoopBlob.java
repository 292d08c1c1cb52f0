package io.flinkpersist.persist.blob;

import io.flinkpersist.persist.external.ExternalException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Blob} on any Hadoop {@link FileSystem}: {@code s3a://bucket/prefix}, {@code file:///dir},
 * {@code hdfs://…}. Key {@code a/b/c} is the file {@code <root>/a/b/c}.
 *
 * <p>Write-once atomic creation depends on the file system: on S3A a conditional PUT
 * ({@code If-None-Match: *}); on the local file system a hidden temporary file hard-linked into place (a
 * link never replaces an existing file); elsewhere a temporary file renamed into place, which is atomic and
 * non-replacing on HDFS-like file systems.
 *
 * <p>The options are Hadoop configuration keys ({@code fs.*}, {@code hadoop.*}), which may hold
 * credentials: they are never logged or printed.
 */
public final class HadoopBlob implements Blob {
    private static final Logger LOG = LoggerFactory.getLogger(HadoopBlob.class);

    private enum CreateStrategy { S3_CONDITIONAL_PUT, LOCAL_HARD_LINK, RENAME_NO_REPLACE }

    private final URI root;
    private final Path rootPath;
    private final FileSystem fs;
    private final CreateStrategy createStrategy;
    /** Hadoop's own raw local file system, not an implementation configured in its place ({@code fs.file.impl}). */
    private final boolean stockLocalFileSystem;

    private HadoopBlob(URI root, FileSystem fs, CreateStrategy createStrategy) {
        this.root = root;
        this.rootPath = new Path(root);
        this.fs = fs;
        this.createStrategy = createStrategy;
        this.stockLocalFileSystem = fs.getClass() == RawLocalFileSystem.class;
    }

    /**
     * Opens the file system at {@code root} with the given Hadoop options layered over Hadoop's defaults.
     * A local root directory is created if it does not exist.
     */
    public static HadoopBlob open(URI root, Map<String, String> hadoopOptions) {
        if (root.getScheme() == null || root.getRawUserInfo() != null) {
            throw new IllegalArgumentException("blob root must be an absolute URI without credentials, e.g. "
                    + "s3a://bucket/prefix or file:///var/lib/persist; pass credentials as fs.* options");
        }
        Configuration conf = new Configuration();
        conf.set("hadoop.tmp.dir", System.getProperty("java.io.tmpdir") + "/hadoop-" + System.getProperty("user.name"));
        hadoopOptions.forEach((key, value) -> {
            if (!key.startsWith("fs.") && !key.startsWith("hadoop.")) {
                throw new IllegalArgumentException("blob option '" + key
                        + "' is not a Hadoop file system option: allowed keys start with 'fs.' or 'hadoop.'");
            }
            conf.set(key, value);
        });
        // Our own instance: closing this blob must not close a file system someone else cached.
        conf.setBoolean("fs." + root.getScheme() + ".impl.disable.cache", true);
        try {
            FileSystem fs = FileSystem.newInstance(root, conf);
            CreateStrategy strategy;
            if (fs instanceof LocalFileSystem local) {
                // The raw file system writes no .crc side files, which would not be write-once.
                fs = local.getRawFileSystem();
                strategy = CreateStrategy.LOCAL_HARD_LINK;
                fs.mkdirs(new Path(root));
            } else if ("s3a".equals(root.getScheme())) {
                strategy = CreateStrategy.S3_CONDITIONAL_PUT;
            } else {
                strategy = CreateStrategy.RENAME_NO_REPLACE;
            }
            LOG.info("Opened blob store {} ({})", root, strategy);
            return new HadoopBlob(root, fs, strategy);
        } catch (IOException e) {
            throw ExternalException.determinate("cannot open blob store " + root + ": " + e.getMessage(), e);
        }
    }

    /** The root URI (never contains credentials). */
    public URI root() {
        return root;
    }

    @Override
    public Optional<byte[]> get(String key) {
        Path path = pathOf(BlobKeyRules.checkKey(key));
        try {
            FileStatus status = fs.getFileStatus(path);
            if (status.getLen() > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("blob " + key + " is " + status.getLen()
                        + " bytes, more than a single part may hold");
            }
            byte[] value = new byte[(int) status.getLen()];
            try (FSDataInputStream in = fs.openFile(path).withFileStatus(status).build().get()) {
                in.readFully(0, value);
            }
            return Optional.of(value);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            throw IoFailures.classify("get", key, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ExternalException.indeterminate("blob get " + key + " interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw IoFailures.classify("get", key, e.getCause());
        }
    }

    @Override
    public OptionalLong size(String key) {
        Path path = pathOf(BlobKeyRules.checkKey(key));
        try {
            return OptionalLong.of(fs.getFileStatus(path).getLen());
        } catch (FileNotFoundException e) {
            return OptionalLong.empty();
        } catch (IOException | UncheckedIOException e) {
            throw IoFailures.classify("size", key, e);
        }
    }

    @Override
    public void set(String key, byte[] value) {
        Path path = pathOf(BlobKeyRules.checkKey(key));
        boolean created;
        try {
            created = switch (createStrategy) {
                case S3_CONDITIONAL_PUT -> createConditionally(path, value);
                case LOCAL_HARD_LINK -> createByHardLink(path, value);
                case RENAME_NO_REPLACE -> createByRename(path, value);
            };
        } catch (IOException | UncheckedIOException e) {
            // Some file systems wrap I/O failures of their builders in UncheckedIOException: the same failure.
            throw IoFailures.classify("set", key, e);
        }
        if (!created) {
            // Someone holds the key already: that is fine only if it is us, retrying.
            Optional<byte[]> existing = get(key);
            if (existing.isEmpty()) {
                throw ExternalException.determinate("blob set " + key + " lost a race with a delete", null);
            }
            if (!Arrays.equals(existing.get(), value)) {
                throw new BlobAlreadyExistsException(key);
            }
        }
    }

    private boolean createConditionally(Path path, byte[] value) throws IOException {
        try {
            FSDataOutputStreamBuilder<?, ?> builder = fs.createFile(path).overwrite(false);
            builder.must(Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE, true);
            FSDataOutputStream out = builder.build();
            try (out) {
                out.write(value);
            }
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException | RemoteFileChangedException e) {
            // The first is S3A's existence probe at create, the second a 412 from the PUT itself at close.
            return false;
        }
    }

    /** Writes the bytes durably under a hidden name and hard-links them into place. */
    private boolean createByHardLink(Path path, byte[] value) throws IOException {
        java.nio.file.Path target = Paths.get(path.toUri());
        java.nio.file.Path temp = stockLocalFileSystem
                ? writeLocalHiddenSibling(target, path, value)
                : Paths.get(writeHiddenSibling(path, value).toUri());
        try {
            Files.createLink(target, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Writes the hidden sibling with {@code java.nio} rather than through Hadoop's raw local file system, which sets
     * each new file's permissions by running {@code chmod}: a process per part (profiled: a quarter of the upload
     * threads' time in the sink benchmark), where the process umask does the same.
     */
    private static java.nio.file.Path writeLocalHiddenSibling(java.nio.file.Path target, Path path, byte[] value)
            throws IOException {
        java.nio.file.Path temp = target.resolveSibling(hiddenSiblingName(path));
        Files.createDirectories(target.getParent());
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(value);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private boolean createByRename(Path path, byte[] value) throws IOException {
        Path temp = writeHiddenSibling(path, value);
        try {
            return fs.rename(temp, path);
        } finally {
            fs.delete(temp, false);
        }
    }

    /**
     * Writes the bytes durably under a hidden name in the key's directory: never a valid key, so listings
     * and readers skip it.
     */
    private Path writeHiddenSibling(Path path, byte[] value) throws IOException {
        Path temp = new Path(path.getParent(), hiddenSiblingName(path));
        try (FSDataOutputStream out = fs.create(temp, false)) {
            out.write(value);
            out.hsync();
        } catch (IOException e) {
            fs.delete(temp, false);
            throw e;
        }
        return temp;
    }

    /** A name in the key's directory that is never a valid key, so listings and readers skip it. */
    private static String hiddenSiblingName(Path path) {
        return "." + path.getName() + "." + UUID.randomUUID() + ".tmp";
    }

    @Override
    public OptionalLong delete(String key) {
        Path path = pathOf(BlobKeyRules.checkKey(key));
        try {
            long size = fs.getFileStatus(path).getLen();
            return fs.delete(path, false) ? OptionalLong.of(size) : OptionalLong.empty();
        } catch (FileNotFoundException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw IoFailures.classify("delete", key, e);
        }
    }

    @Override
    public void list(String prefix, BlobEntryConsumer consumer) {
        listWithTimes(prefix, (key, size, modified) -> consumer.accept(key, size));
    }

    @Override
    public void listWithTimes(String prefix, TimedBlobEntryConsumer consumer) {
        BlobKeyRules.checkPrefix(prefix);
        int lastSlash = prefix.lastIndexOf('/');
        Path dir = lastSlash < 0 ? rootPath : pathOf(prefix.substring(0, lastSlash));
        String rootDir = rootPath.toUri().getPath();
        String rootDirWithSlash = rootDir.endsWith("/") ? rootDir : rootDir + "/";
        try {
            listUnder(dir, prefix, rootDirWithSlash, consumer);
        } catch (IOException e) {
            throw IoFailures.classify("list", prefix, e);
        }
    }

    /**
     * Walks the directories under {@code dir} with plain file statuses: a recursive {@code listFiles} builds located
     * statuses, which on a local file system read each file's permissions by running a process per file, and fail
     * when a temporary file goes away meanwhile. Entries that go away while listed are skipped.
     */
    private void listUnder(Path dir, String prefix, String rootDirWithSlash, TimedBlobEntryConsumer consumer)
            throws IOException {
        RemoteIterator<FileStatus> entries;
        try {
            entries = fs.listStatusIterator(dir);
        } catch (FileNotFoundException e) {
            return;
        }
        while (true) {
            FileStatus entry;
            try {
                if (!entries.hasNext()) {
                    return;
                }
                entry = entries.next();
            } catch (FileNotFoundException e) {
                return;
            }
            String absolute = entry.getPath().toUri().getPath();
            if (!absolute.startsWith(rootDirWithSlash) || entry.getPath().getName().startsWith(".")) {
                continue;
            }
            String key = absolute.substring(rootDirWithSlash.length());
            if (entry.isDirectory()) {
                // Only into directories that can hold keys with the prefix.
                String asPrefix = key + "/";
                if (asPrefix.startsWith(prefix) || prefix.startsWith(asPrefix)) {
                    listUnder(entry.getPath(), prefix, rootDirWithSlash, consumer);
                }
            } else if (key.startsWith(prefix)) {
                consumer.accept(key, entry.getLen(), entry.getModificationTime());
            }
        }
    }

    private Path pathOf(String key) {
        return new Path(rootPath, key);
    }

    @Override
    public void close() {
        try {
            fs.close();
        } catch (IOException e) {
            LOG.warn("Closing blob store {} failed", root, e);
        }
    }

    @Override
    public String toString() {
        return "HadoopBlob{" + root + "}";
    }
}
