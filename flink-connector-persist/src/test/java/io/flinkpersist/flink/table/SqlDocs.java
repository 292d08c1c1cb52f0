package io.flinkpersist.flink.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docs/sql.md as the tests read it: its fenced sql blocks and the rows of its options table. */
final class SqlDocs {
    /** Tests run in the module directory; the docs are beside it. */
    private static final Path PAGE = Path.of("..", "docs", "sql.md");
    private static final Pattern SQL_BLOCK = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern OPTION_ROW = Pattern.compile("<tr>\\s*<td><h5>(.*?)</h5></td>\\s*<td>(.*?)</td>"
            + "\\s*<td>(.*?)</td>\\s*<td[^>]*>(.*?)</td>\\s*<td>(.*?)</td>", Pattern.DOTALL);

    /** One row of the options table. */
    record OptionRow(String option, String required, String forwarded, String defaultValue, String type) {}

    private SqlDocs() {}

    /** The statements of each fenced sql block, in order; a statement ends with ';' at the end of a line. */
    static List<List<String>> sqlBlocks() {
        List<List<String>> blocks = new ArrayList<>();
        Matcher block = SQL_BLOCK.matcher(page());
        while (block.find()) {
            blocks.add(Arrays.stream(block.group(1).split(";\\s*(\\n|$)")).map(String::strip)
                    .filter(s -> !s.isEmpty()).toList());
        }
        return blocks;
    }

    static List<OptionRow> optionRows() {
        List<OptionRow> rows = new ArrayList<>();
        Matcher row = OPTION_ROW.matcher(page());
        while (row.find()) {
            rows.add(new OptionRow(unescape(row.group(1)), row.group(2).strip(), row.group(3).strip(),
                    row.group(4).strip(), unescape(row.group(5).strip())));
        }
        return rows;
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static String page() {
        try {
            return Files.readString(PAGE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + PAGE.toAbsolutePath(), e);
        }
    }
}
