package io.flinkpersist.persist.ids;

import io.flinkpersist.persist.QuotedInput;

/** A string that does not have the shape of the id or key it was parsed as. Quotes the input, bounded and escaped. */
public final class MalformedIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String input;
    private final String expectedShape;

    MalformedIdException(String kind, String input, String expectedShape) {
        this(kind, input, expectedShape, null);
    }

    MalformedIdException(String kind, String input, String expectedShape, String detail) {
        super("invalid " + kind + " " + QuotedInput.of(input) + ": expected " + expectedShape
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
}
