package io.flinkpersist.persist.ids;

/** A string that does not have the shape of the id or key it was parsed as. Quotes the input. */
public final class MalformedIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String input;
    private final String expectedShape;

    MalformedIdException(String kind, String input, String expectedShape) {
        this(kind, input, expectedShape, null);
    }

    MalformedIdException(String kind, String input, String expectedShape, String detail) {
        super("invalid " + kind + " " + quote(input) + ": expected " + expectedShape
                + (detail == null ? "" : " (" + detail + ")"));
        this.input = input;
        this.expectedShape = expectedShape;
    }

    /** The rejected input, exactly as given. */
    public String input() {
        return input;
    }

    /** A description of the accepted shape, such as {@code s<uuid>}. */
    public String expectedShape() {
        return expectedShape;
    }

    private static String quote(String input) {
        if (input == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < input.length() && i < 200; i++) {
            char c = input.charAt(i);
            // Make whitespace and control characters visible: they are what smuggles bad paths in.
            if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) && c != ' ') {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        if (input.length() > 200) {
            quoted.append("...");
        }
        return quoted.append('"').toString();
    }
}
