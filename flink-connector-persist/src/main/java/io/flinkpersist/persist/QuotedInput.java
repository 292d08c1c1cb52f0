package io.flinkpersist.persist;

/**
 * Input quoted for an error message (a stored value, a URI, an id): at most about {@value #MAX_CHARS} characters
 * with control characters and line breaks escaped, so bad input can neither flood a log nor forge lines in it.
 */
public final class QuotedInput {
    public static final int MAX_CHARS = 120;

    private QuotedInput() {}

    public static String of(Object input) {
        String text = String.valueOf(input);
        StringBuilder quoted = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8).append('\'');
        int i = 0;
        for (; i < text.length() && quoted.length() < MAX_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\\' || c == '\'' || Character.isWhitespace(c) && c != ' '
                    || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        if (i < text.length()) {
            quoted.append("...(").append(text.length()).append(" chars)");
        }
        return quoted.append('\'').toString();
    }
}
