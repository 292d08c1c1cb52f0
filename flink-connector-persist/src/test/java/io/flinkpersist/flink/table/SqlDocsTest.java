package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.table.SqlDocs.OptionRow;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/** docs/sql.md's options table lists exactly the factory's options, with their required, forwarded and default. */
class SqlDocsTest {
    private final PersistDynamicTableFactory factory = new PersistDynamicTableFactory();
    private final Map<String, OptionRow> documented = SqlDocs.optionRows().stream()
            .collect(Collectors.toMap(OptionRow::option, Function.identity()));

    @Test
    void everyDeclaredOptionIsDocumentedAsDeclared() {
        Set<ConfigOption<?>> declared = new HashSet<>(factory.requiredOptions());
        declared.addAll(factory.optionalOptions());

        for (ConfigOption<?> option : declared) {
            assertThat(documented).as("docs/sql.md options table").containsKey(option.key());
            OptionRow row = documented.get(option.key());
            assertThat(row.required()).as("Required of %s", option.key())
                    .isEqualTo(factory.requiredOptions().contains(option) ? "required" : "optional");
            assertThat(row.forwarded()).as("Forwarded of %s", option.key())
                    .isEqualTo(factory.forwardOptions().contains(option) ? "yes" : "no");
            assertThat(row.defaultValue()).as("Default of %s", option.key()).isEqualTo(documentedDefault(option));
        }
    }

    /** Besides the declared options, only 'connector' and the two prefixes. */
    @Test
    void theTableDocumentsNoOptionTheFactoryLacks() {
        Set<String> keys = new HashSet<>(documented.keySet());
        factory.requiredOptions().forEach(o -> keys.remove(o.key()));
        factory.optionalOptions().forEach(o -> keys.remove(o.key()));

        assertThat(keys).containsExactlyInAnyOrder("connector", PersistConnectorOptions.HADOOP_PREFIX + "*",
                "<format>.*, key.<format>.*, value.<format>.*");
    }

    private static String documentedDefault(ConfigOption<?> option) {
        if (!option.hasDefaultValue() || option.defaultValue() instanceof List<?> list && list.isEmpty()) {
            return "(none)";
        }
        if (option.defaultValue() instanceof Duration duration) {
            return TimeUtils.formatWithHighestUnit(duration);
        }
        return String.valueOf(option.defaultValue());
    }
}
