package io.flinkpersist.persist.blob;

import io.flinkpersist.persist.QuotedInput;

/**
 * The shape every blob key must have before it becomes a path: non-empty {@code /}-separated segments of
 * printable characters, none of them {@code .} or {@code ..} or starting with a dot (dot-names are reserved
 * for in-flight temporary files), no backslash, no whitespace.
 */
final class BlobKeyRules {
    private BlobKeyRules() {}

    static String checkKey(String key) {
        check(key, false);
        return key;
    }

    /** A listing prefix may be empty and may end in a partial segment, e.g. {@code s…/v}. */
    static String checkPrefix(String prefix) {
        check(prefix, true);
        return prefix;
    }

    private static void check(String key, boolean isPrefix) {
        if (key == null) {
            throw new IllegalArgumentException("blob key must not be null");
        }
        if (key.isEmpty()) {
            if (isPrefix) {
                return;
            }
            throw new IllegalArgumentException("blob key must not be empty");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '\\' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(String.format(
                        "invalid blob key %s: character U+%04X at %d is not allowed (no whitespace, control "
                                + "characters or backslashes)", QuotedInput.of(key), (int) c, i));
            }
        }
        String[] segments = key.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.isEmpty() && !(isPrefix && last)) {
                throw new IllegalArgumentException("invalid blob key " + QuotedInput.of(key)
                        + ": empty path segment (keys are relative, like s<uuid>/n0000100/p<uuid>)");
            }
            if (segment.startsWith(".")) {
                throw new IllegalArgumentException("invalid blob key " + QuotedInput.of(key)
                        + ": a segment must not start with '.' (no '.', '..' or hidden names)");
            }
        }
    }
}
