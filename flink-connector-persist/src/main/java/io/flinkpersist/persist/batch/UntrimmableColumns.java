package io.flinkpersist.persist.batch;

import java.util.List;
import java.util.Locale;

/**
 * Column names whose statistics are kept even past the stats budget: a lowercased name is retained if it
 * equals one of {@code equals}, starts with one of {@code prefixes} or ends with one of {@code suffixes}.
 * The rules themselves are given in lowercase.
 */
public record UntrimmableColumns(List<String> equals, List<String> prefixes, List<String> suffixes) {
    /** Persist's defaults: time-like and error columns are the most useful for filter pushdown. */
    public static final UntrimmableColumns DEFAULT = new UntrimmableColumns(
            List.of("err", "ts", "receivedat", "createdat", "_fivetran_synced"),
            List.of("last_"),
            List.of("timestamp", "time", "_at", "_tstamp"));

    public static final UntrimmableColumns NONE = new UntrimmableColumns(List.of(), List.of(), List.of());

    public UntrimmableColumns {
        equals = lowercase("equals", equals);
        prefixes = lowercase("prefixes", prefixes);
        suffixes = lowercase("suffixes", suffixes);
    }

    private static List<String> lowercase(String what, List<String> rules) {
        for (String rule : rules) {
            if (rule == null || rule.isEmpty()) {
                throw new IllegalArgumentException("untrimmable column " + what + " must not contain an empty rule: " + rules);
            }
        }
        return rules.stream().map(r -> r.toLowerCase(Locale.ROOT)).toList();
    }

    public boolean shouldRetain(String columnName) {
        String name = columnName.toLowerCase(Locale.ROOT);
        return equals.contains(name)
                || prefixes.stream().anyMatch(name::startsWith)
                || suffixes.stream().anyMatch(name::endsWith);
    }
}
