package io.flinkpersist.persist;

/**
 * Input quoted for an error message (a stored value, a key or id, a URI): about {@link #MAX_CHARS} characters
 * printed, with control characters, other whitespace than a space, quotes and backslashes escaped, so that a corrupt or hostile value
 * can neither flood a log nor forge a line of it.
 */
public final class QuotedInput {
    public static final int MAX_CHARS = 100;

    private QuotedInput() {}

    /** The text of {@code input} (a decoded value, a key), quoted as {@link #of(String)}. */
    public static String of(Object input) {
        return of(input == null ? null : String.valueOf(input));
    }

    /** {@code "…"} around the escaped input, {@code ...} after it if cut; {@code null} for a missing input. */
    public static String of(String input) {
        if (input == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder(MAX_CHARS + 8).append('"');
        int shown = 0;
        // Bounded by what is printed: an input of escapes must not print six times the limit.
        for (; shown < input.length() && quoted.length() <= MAX_CHARS; shown++) {
            char c = input.charAt(shown);
            if (c == '\\' || c == '"') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) && c != ' '
                    || Character.getType(c) == Character.FORMAT || Character.isSurrogate(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        if (input.length() > shown) {
            quoted.append("\"... (").append(input.length()).append(" chars)");
            return quoted.toString();
        }
        return quoted.append('"').toString();
    }
}
