package io.flinkpersist.persist;

/**
 * Input quoted for an error message: at most {@link #MAX_CHARS} characters, with control characters, other
 * whitespace than a space, and backslashes escaped, so that a corrupt or hostile value can neither flood a log nor
 * forge a line of it.
 */
public final class QuotedInput {
    public static final int MAX_CHARS = 100;

    private QuotedInput() {}

    /** {@code "…"} around the escaped input, {@code ...} after it if cut; {@code null} for a missing input. */
    public static String of(String input) {
        if (input == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder(Math.min(input.length(), MAX_CHARS) + 8).append('"');
        int shown = Math.min(input.length(), MAX_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = input.charAt(i);
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
