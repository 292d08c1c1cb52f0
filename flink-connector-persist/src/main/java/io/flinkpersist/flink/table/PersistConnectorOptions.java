package io.flinkpersist.flink.table;

import static org.apache.flink.configuration.description.TextElement.text;

import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.flink.source.PersistSourceBuilder;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import java.util.List;
import io.flinkpersist.persist.state.CommitMarkerState;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.state.StateSettings;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.description.InlineElement;
import org.apache.flink.table.factories.FactoryUtil;

/** The options of {@code 'connector' = 'persist'} tables; docs/sql.md describes each in the same words. */
@PublicEvolving
public final class PersistConnectorOptions {
    /** Options under this prefix go, without it, to the Hadoop file system of {@code blob.uri}. */
    public static final String HADOOP_PREFIX = "hadoop.";

    public static final ConfigOption<String> BLOB_URI = ConfigOptions.key("blob.uri")
            .stringType()
            .noDefaultValue()
            .withDescription("Where the shard's parts (Parquet files) go: a Hadoop file system URI such as "
                    + "s3a://bucket/prefix, file:///absolute/dir or hdfs://namenode:8020/dir. Credentials in the "
                    + "URI are refused: pass them as 'hadoop.' options.");

    public static final ConfigOption<String> CONSENSUS_URI = ConfigOptions.key("consensus.uri")
            .stringType()
            .noDefaultValue()
            .withDescription("Where the shard's state goes: postgres://user@host[:port]/database[?params] (or "
                    + "postgresql://), jdbc:postgresql://host[:port]/database[?params], or an embedded SQLite "
                    + "file sqlite:///absolute/path.db. Put a password in 'consensus.password', not here: Flink "
                    + "prints this option's value in its error messages.");

    public static final ConfigOption<String> CONSENSUS_PASSWORD = ConfigOptions.key("consensus.password")
            .stringType()
            .noDefaultValue()
            .withDescription("The PostgreSQL password for the user of a postgres:// 'consensus.uri'. Flink masks "
                    + "this option's value in its messages; the connector never prints it.");

    public static final ConfigOption<String> SHARD = ConfigOptions.key("shard")
            .stringType()
            .noDefaultValue()
            .withDescription("The shard to write or read: a shard id (s followed by a lowercase hyphenated UUID) or a "
                    + "shard name (1 to " + PersistSinkBuilder.MAX_NAME_LENGTH + " printable characters), which "
                    + "maps to the same shard id as PersistSinkBuilder.shardName does. A value shaped like a UUID "
                    + "that is not a canonical shard id is refused.");

    public static final ConfigOption<String> FORMAT = FactoryUtil.FORMAT;

    public static final ConfigOption<String> KEY_FORMAT = ConfigOptions.key("key" + FactoryUtil.FORMAT_SUFFIX)
            .stringType()
            .noDefaultValue()
            .withDescription("With 'key.fields': the format that encodes the key columns.");

    public static final ConfigOption<List<String>> KEY_FIELDS = ConfigOptions.key("key.fields")
            .stringType()
            .asList()
            .defaultValues()
            .withDescription("Columns, separated by ';', that form the key (encoded with 'key.format'); the "
                    + "other columns form the value (encoded with 'value.format'). Without it the whole row is "
                    + "the key (encoded with 'format') and the value is empty.");

    public static final ConfigOption<String> VALUE_FORMAT = ConfigOptions.key("value" + FactoryUtil.FORMAT_SUFFIX)
            .stringType()
            .noDefaultValue()
            .withDescription("With 'key.fields': the format that encodes the value columns.");

    public static final ConfigOption<ValueFieldsStrategy> VALUE_FIELDS_INCLUDE =
            ConfigOptions.key("value.fields-include")
                    .enumType(ValueFieldsStrategy.class)
                    .defaultValue(ValueFieldsStrategy.EXCEPT_KEY)
                    .withDescription("With 'key.fields': which columns the value holds, EXCEPT_KEY (the columns "
                            + "not in 'key.fields') or ALL.");

    public static final ConfigOption<Integer> SINK_PARALLELISM = FactoryUtil.SINK_PARALLELISM;

    public static final ConfigOption<String> SINK_ID = ConfigOptions.key("sink.id")
            .stringType()
            .noDefaultValue()
            .withDescription("The sink's name in the shard's commit markers and in logs (1 to "
                    + PersistSinkBuilder.MAX_NAME_LENGTH + " printable characters), by default "
                    + "persist-sink:<shard id>; it is also the sink's uid, so two tables on one shard written by the "
                    + "same job need different ids, and it must stay the same across restores for the sink's state "
                    + "to be restored. Each run of the sink records its commits under this name and a random id of "
                    + "its own, so neither a shared name nor a reused job id makes new data look committed.");

    public static final ConfigOption<MemorySize> SINK_PART_TARGET_SIZE = ConfigOptions.key("sink.part-target-size")
            .memoryType()
            .defaultValue(new MemorySize(PersistSinkBuilder.DEFAULT_PART_TARGET_SIZE_BYTES))
            .withDescription("A writer cuts a part (a Parquet file uploaded in the background) when its buffer "
                    + "reaches this size; 1 byte to 2 gb - 1 byte. A checkpoint waits for the part being built: "
                    + "smaller parts make checkpoints shorter and give compaction more runs to merge.");

    public static final ConfigOption<Integer> SINK_MAX_OUTSTANDING_PARTS =
            ConfigOptions.key("sink.max-outstanding-parts")
                    .intType()
                    .defaultValue(BatchBuilderConfig.DEFAULT_MAX_OUTSTANDING_PARTS)
                    .withDescription("Part uploads in flight per writer before it waits (back pressure); at "
                            + "least 1.");

    public static final ConfigOption<MemorySize> SINK_INLINE_THRESHOLD = ConfigOptions.key("sink.inline-threshold")
            .memoryType()
            .defaultValue(new MemorySize(BatchBuilderConfig.DEFAULT_INLINE_WRITES_SINGLE_MAX_BYTES))
            .withDescription("A checkpoint's batch of at most this size is stored in the shard's state instead "
                    + "of as a part; 0 never inlines.");

    public static final ConfigOption<Integer> SINK_COMMIT_RETRIES = ConfigOptions.key("sink.commit-retries")
            .intType()
            .defaultValue(PersistSinkBuilder.DEFAULT_COMMIT_RETRIES)
            .withDescription("How many lost races (another writer moved the shard's upper first) one checkpoint's "
                    + "commit may take before the job fails and restarts from its last checkpoint; 0 or more. Each "
                    + "lost race is retried at once at a newer time as one of Flink's commit retries "
                    + "('sink.committer.retries', 10 by default): the smaller limit applies.");

    public static final ConfigOption<Duration> SINK_MARKER_RETENTION = ConfigOptions.key("sink.marker-retention")
            .durationType()
            .defaultValue(CommitMarkerState.DEFAULT_RETENTION)
            .withDescription("How long the shard keeps a run's commit marker after the run's last commit (at least "
                    + PersistSinkBuilder.MIN_MARKER_RETENTION.toSeconds() + " s). A checkpoint or savepoint older "
                    + "than this can no longer be told apart from new data: a job restored from it fails with a "
                    + "message saying so rather than guess.");

    public static final ConfigOption<Integer> STATE_ROLLUP_THRESHOLD = ConfigOptions.key("state.rollup-threshold")
            .intType()
            .defaultValue(StateSettings.DEFAULT_ROLLUP_THRESHOLD)
            .withDescription("Every how many versions of the shard's state the whole state is written to blob as a "
                    + "rollup (at least 1; persist's default). Each commit writes only what changed to consensus; a "
                    + "new handle reads the newest rollup and at most about this many changes after it.");

    public static final ConfigOption<Boolean> SINK_PAGE_CHECKSUMS = ConfigOptions.key("sink.page-checksums")
            .booleanType()
            .defaultValue(true)
            .withDescription("Whether the parts the sink writes (and its compaction rewrites) carry a CRC32 checksum "
                    + "on every Parquet page, which every read verifies: a damaged part is then an error naming it, "
                    + "never different data. Without, a damaged page is caught only where it breaks the part's "
                    + "structure, length or diffs sum, as in persist, which writes none.");

    public static final ConfigOption<Boolean> COMPACTION_ENABLED = ConfigOptions.key("compaction.enabled")
            .booleanType()
            .defaultValue(true)
            .withDescription("Whether the sink's committer compacts the shard after its commits: in background "
                    + "threads, one merge at a time plus one of the newest batches while a long merge runs, never "
                    + "failing the job. Turn it off to run the shard's maintenance "
                    + "elsewhere (docs/operations.md) or when another sink of the shard compacts it.");

    public static final ConfigOption<Duration> COMPACTION_HISTORY_RETENTION =
            ConfigOptions.key("compaction.history-retention")
                    .durationType()
                    .defaultValue(CompactionSettings.DEFAULT_HISTORY_RETENTION)
                    .withDescription("How far behind the shard's latest commit time compaction keeps history: a "
                            + "snapshot may read that far back, everything older is consolidated; 0 or more.");

    public static final ConfigOption<MemorySize> COMPACTION_MEMORY_BOUND = ConfigOptions.key("compaction.memory-bound")
            .memoryType()
            .noDefaultValue()
            .withDescription("How many bytes of parts one merge holds at once, at least 4 times "
                    + "'sink.part-target-size'; runs beyond it are merged in several passes. By default 512 MiB or "
                    + "4 times 'sink.part-target-size', whichever is larger.");

    public static final ConfigOption<Integer> COMPACTION_CONCURRENCY = ConfigOptions.key("compaction.concurrency")
            .intType()
            .defaultValue(PersistSinkBuilder.DEFAULT_COMPACTION_CONCURRENCY)
            .withDescription("How many merges the committer runs at once: 2 runs a merge of the newest batches while "
                    + "a long merge of older ones lasts, so that new batches do not pile up meanwhile; 1 runs one "
                    + "merge at a time, holding at most one 'compaction.memory-bound'.");

    public static final ConfigOption<Duration> COMPACTION_ORPHAN_GRACE = ConfigOptions.key("compaction.orphan-grace")
            .durationType()
            .noDefaultValue()
            .withDescription("How old a part that no retained version of the shard references must be before the "
                    + "committer's hourly orphan sweep deletes it; longer than 'sink.marker-retention', which makes it "
                    + "safe for restorable checkpoints and savepoints. By default the marker retention plus a day.");

    public static final ConfigOption<Boolean> SINK_ALLOW_NO_CHECKPOINTING =
            ConfigOptions.key("sink.allow-no-checkpointing")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Let a STREAMING job over unbounded input run without periodic checkpointing "
                            + "(refused by default, since such a job never commits): it then commits only at "
                            + "checkpoints triggered by hand and at a stop-with-savepoint.");

    public static final ConfigOption<ScanMode> SCAN_MODE = ConfigOptions.key("scan.mode")
            .enumType(ScanMode.class)
            .defaultValue(ScanMode.SNAPSHOT)
            .withDescription("What a query reads from the shard: 'snapshot' (bounded: the rows as of 'scan.as-of'), "
                    + "'changelog' (unbounded: that snapshot as inserts, then every later change as it is committed, "
                    + "a row added as +I and a row removed as -D) or 'from-timestamp' (unbounded: only the changes at "
                    + "times after 'scan.as-of').");

    public static final ConfigOption<Long> SCAN_AS_OF = ConfigOptions.key("scan.as-of")
            .longType()
            .noDefaultValue()
            .withDescription("The shard time to read as of (a sink's shard times are its commits' epoch "
                    + "milliseconds): the snapshot's time for 'snapshot' and 'changelog', by default the latest "
                    + "time committed when the job first starts; required for 'from-timestamp', whose changes "
                    + "come after it. 0 or more; a time older than the shard's retained history is refused when "
                    + "the job starts.");

    public static final ConfigOption<Duration> SCAN_READER_LEASE = ConfigOptions.key("scan.reader-lease")
            .durationType()
            .defaultValue(PersistConfig.DEFAULT_READER_LEASE)
            .withDescription("How long the shard keeps the history a reading job holds after the job stops renewing "
                    + "its lease (it is down): a job restored later than this after it stopped may find that history "
                    + "compacted and fails saying so. At least 1 s.");

    public static final ConfigOption<Integer> SCAN_KEY_RANGES = ConfigOptions.key("scan.key-ranges")
            .intType()
            .noDefaultValue()
            .withDescription("How many key ranges the shard is read in, spread over the source's parallel "
                    + "readers (1 to " + PersistSourceBuilder.MAX_KEY_RANGES + "); by default four per reader.");

    public static final ConfigOption<Integer> SCAN_PARALLELISM = FactoryUtil.SOURCE_PARALLELISM;

    private PersistConnectorOptions() {}

    /** What a scan of a 'persist' table reads. */
    @PublicEvolving
    public enum ScanMode implements DescribedEnum {
        SNAPSHOT("snapshot", "The rows as of 'scan.as-of' (bounded)."),
        CHANGELOG("changelog", "The rows as of 'scan.as-of', then every later change as it is committed."),
        FROM_TIMESTAMP("from-timestamp", "Every change at a time after 'scan.as-of', as it is committed.");

        private final String value;
        private final String description;

        ScanMode(String value, String description) {
            this.value = value;
            this.description = description;
        }

        /** The option's value: Flink matches enum options by this. */
        @Override
        public String toString() {
            return value;
        }

        @Override
        public InlineElement getDescription() {
            return text(description);
        }
    }

    /** Which columns the value holds when 'key.fields' is set. */
    @PublicEvolving
    public enum ValueFieldsStrategy {
        /** Every column, the key columns too. */
        ALL,
        /** The columns not in 'key.fields'. */
        EXCEPT_KEY
    }
}
