package io.flinkpersist.persist;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotedInputTest {
    @Test
    void controlCharactersQuotesAndBackslashesAreEscaped() {
        assertThat(QuotedInput.of("a\u0000b\nc\u001b[31m\"\\ d\u2028"))
                .isEqualTo("\"a\\u0000b\\u000ac\\u001b[31m\\\"\\\\ d\\u2028\"");
    }

    @Test
    void longInputIsCutAndSaysHowLongItWas() {
        String quoted = QuotedInput.of("x".repeat(1_500_000));
        assertThat(quoted).isEqualTo("\"" + "x".repeat(QuotedInput.MAX_CHARS) + "\"... (1500000 chars)");
    }

    @Test
    void nullIsPrintedAsNull() {
        assertThat(QuotedInput.of(null)).isEqualTo("null");
    }
}
