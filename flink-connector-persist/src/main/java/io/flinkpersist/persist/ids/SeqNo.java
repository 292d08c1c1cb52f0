package io.flinkpersist.persist.ids;

/**
 * The version number of a shard's state in consensus, printed {@code v<n>}.
 *
 * <p>Values lie in {@code [0, Long.MAX_VALUE]} because consensus stores them as SQL {@code bigint}.
 */
public record SeqNo(long value) implements Comparable<SeqNo> {
    private static final String SHAPE = "v<n> with n a decimal in [0, " + Long.MAX_VALUE + "], e.g. v42";

    public static final SeqNo MINIMUM = new SeqNo(0);

    public SeqNo {
        if (value < 0) {
            throw new IllegalArgumentException("SeqNo must be in [0, " + Long.MAX_VALUE + "], was " + value);
        }
    }

    public static SeqNo of(long value) {
        return new SeqNo(value);
    }

    public static SeqNo parse(String input) {
        if (input == null || input.length() < 2 || input.charAt(0) != 'v') {
            throw new MalformedIdException("SeqNo", input, SHAPE);
        }
        String digits = input.substring(1);
        // Digits only: Long.parseLong would take a sign, and a leading zero would give two spellings.
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 1 && digits.charAt(0) == '0') {
            throw new MalformedIdException("SeqNo", input, SHAPE);
        }
        try {
            return new SeqNo(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            throw new MalformedIdException("SeqNo", input, SHAPE, "out of range");
        }
    }

    public SeqNo next() {
        if (value == Long.MAX_VALUE) {
            throw new IllegalStateException("SeqNo overflow: " + this + " has no successor");
        }
        return new SeqNo(value + 1);
    }

    @Override
    public int compareTo(SeqNo other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return "v" + value;
    }
}
