package io.flinkpersist.flink.table;

import static io.flinkpersist.flink.table.PersistConnectorOptions.BLOB_URI;
import static io.flinkpersist.flink.table.PersistConnectorOptions.CONSENSUS_PASSWORD;
import static io.flinkpersist.flink.table.PersistConnectorOptions.CONSENSUS_URI;
import static io.flinkpersist.flink.table.PersistConnectorOptions.HADOOP_PREFIX;
import static io.flinkpersist.flink.table.PersistConnectorOptions.SHARD;

import io.flinkpersist.flink.InvalidPersistOptionException;
import io.flinkpersist.flink.PersistShardBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * Where a table's shard is, as its options say: the same for the table's sink and its source, and given to their
 * builders in the same builder options.
 *
 * <p>No {@code toString}: the consensus URI may hold the password and the Hadoop options S3 keys.
 */
@Internal
final class TableShardAddress {
    /** The table option of each builder option of the address, for the builders' errors. */
    private static final Map<String, String> TABLE_OPTION_OF_BUILDER_OPTION = Map.of(
            "blobUri", BLOB_URI.key(),
            "consensusUri", CONSENSUS_URI.key(),
            "hadoopOptions", HADOOP_PREFIX + "*",
            "shard", SHARD.key(),
            "shardName", SHARD.key());

    private final String blobUri;
    private final String consensusUri;
    private final Map<String, String> hadoopOptions;
    private final ShardOption shard;

    private TableShardAddress(String blobUri, String consensusUri, Map<String, String> hadoopOptions,
            ShardOption shard) {
        this.blobUri = blobUri;
        this.consensusUri = consensusUri;
        this.hadoopOptions = hadoopOptions;
        this.shard = shard;
    }

    /** {@code tableOptions} are the raw options, for the 'hadoop.' ones that no ConfigOption declares. */
    static TableShardAddress of(ReadableConfig options, Map<String, String> tableOptions) {
        String consensusUri = options.get(CONSENSUS_URI);
        String password = options.get(CONSENSUS_PASSWORD);
        return new TableShardAddress(options.get(BLOB_URI),
                password == null ? consensusUri : withPassword(consensusUri, password),
                hadoopOptions(tableOptions), ShardOption.parse(options.get(SHARD)));
    }

    void applyTo(PersistShardBuilder<?> builder) {
        builder.blobUri(blobUri).consensusUri(consensusUri).hadoopOptions(hadoopOptions);
        if (shard.id() != null) {
            builder.shard(shard.id());
        } else {
            builder.shardName(shard.name());
        }
    }

    /**
     * The table option a builder refused, named as the table names it: {@code others} maps the builder options
     * of the sink or the source, the address's own ones are known here.
     */
    static ValidationException invalidOption(InvalidPersistOptionException refused, Map<String, String> others) {
        String option = TABLE_OPTION_OF_BUILDER_OPTION.getOrDefault(refused.option(),
                others.getOrDefault(refused.option(), refused.option()));
        return new ValidationException("Invalid value for option '" + option + "'" + refused.problem(), refused);
    }

    private static Map<String, String> hadoopOptions(Map<String, String> tableOptions) {
        Map<String, String> hadoop = new TreeMap<>();
        tableOptions.forEach((key, value) -> {
            if (key.startsWith(HADOOP_PREFIX)) {
                hadoop.put(key.substring(HADOOP_PREFIX.length()), value);
            }
        });
        return hadoop;
    }

    /**
     * The URI with the password in its user info: the core takes credentials only from the URI. Only the
     * postgres:// form names the user the password belongs to.
     */
    static String withPassword(String consensusUri, String password) {
        String expected = "Option '" + CONSENSUS_PASSWORD.key() + "' needs a '" + CONSENSUS_URI.key()
                + "' of the form postgres://user@host[:port]/database[?params] (or postgresql://), with a user "
                + "and no password in it";
        URI uri;
        try {
            uri = new URI(consensusUri);
        } catch (URISyntaxException e) {
            throw new ValidationException(expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String user = uri.getRawUserInfo();
        if (!(scheme.equals("postgres") || scheme.equals("postgresql")) || user == null || user.contains(":")) {
            throw new ValidationException(expected);
        }
        // The core decodes user info with URLDecoder, the inverse of URLEncoder.
        String atHost = uri.getRawSchemeSpecificPart().substring(("//" + user).length());
        return uri.getScheme() + "://" + user + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + atHost;
    }
}
