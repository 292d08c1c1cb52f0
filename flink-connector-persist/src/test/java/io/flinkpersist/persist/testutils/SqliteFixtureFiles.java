package io.flinkpersist.persist.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/** A SQLite consensus file made fit to be checked in as a fixture: one self-contained file, intact. */
public final class SqliteFixtureFiles {
    private SqliteFixtureFiles() {}

    /**
     * Optionally drops free pages ({@code VACUUM}: the rows are untouched), folds the WAL into the file
     * ({@code PRAGMA wal_checkpoint(TRUNCATE)}), checks integrity, and waits until no -wal or -shm file is left
     * (SQLite removes them when the last connection closes, so every client must be closed first).
     */
    public static void seal(Path db, boolean vacuum) throws Exception {
        assertThat(db).isRegularFile();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
                Statement statement = connection.createStatement()) {
            if (vacuum) {
                statement.execute("VACUUM");
            }
            try (ResultSet row = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getInt(1)).as("wal_checkpoint busy").isZero();
            }
            try (ResultSet row = statement.executeQuery("PRAGMA integrity_check")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("ok");
            }
        }
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        Path shm = db.resolveSibling(db.getFileName() + "-shm");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((Files.exists(wal) || Files.exists(shm)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(wal).as("a connection to consensus.db is still open").doesNotExist();
        assertThat(shm).as("a connection to consensus.db is still open").doesNotExist();
    }
}
