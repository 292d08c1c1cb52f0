package io.flinkpersist.flink.table;

import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.persist.ids.MalformedIdException;
import io.flinkpersist.persist.ids.ShardId;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;

/**
 * What the 'shard' option names: a value that parses as a {@link ShardId} is that shard; any other value is
 * a shard name, mapped as {@link PersistSinkBuilder#shardName} maps it (and the source's builder alike). A value
 * shaped like a UUID that is not a canonical shard id (upper case, no 's', no hyphens) is refused rather than taken
 * as a name: it is almost surely a mistyped id, and as a name it would silently create a new, empty shard.
 */
@Internal
final class ShardOption {
    private static final Pattern UUID_SHAPED =
            Pattern.compile("(?i)s?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");

    /** Null when the value is a name. */
    private final ShardId id;
    private final String value;

    private ShardOption(ShardId id, String value) {
        this.id = id;
        this.value = value;
    }

    /** Fails fast on a mistyped id; the rules for names (length, printable) are the builder's. */
    static ShardOption parse(String value) {
        try {
            return new ShardOption(ShardId.parse(value), value);
        } catch (MalformedIdException e) {
            if (UUID_SHAPED.matcher(value.strip()).matches()) {
                throw new ValidationException("Invalid value for option 'shard' ('" + value + "'): it looks like a "
                        + "shard id but is not one (" + e.getMessage() + "). The option takes a shard id, 's' "
                        + "followed by a lowercase hyphenated UUID, or a shard name that is not shaped like a UUID.",
                        e);
            }
            return new ShardOption(null, value);
        }
    }

    /** Null when the value is a name. */
    ShardId id() {
        return id;
    }

    String name() {
        return value;
    }
}
