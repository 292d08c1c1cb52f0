package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.ids.SeqNo;
import java.util.Objects;
import java.util.Optional;

/** The argument checks of the {@link Consensus} contract, shared so every implementation rejects the same calls. */
final class ConsensusArguments {
    private ConsensusArguments() {}

    /** {@code next} must directly follow {@code expected}; any seqno may initialise a key. */
    static void requireSuccessor(String key, Optional<SeqNo> expected, VersionedData next) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        if (expected.isPresent()) {
            long previous = expected.get().value();
            if (previous == Long.MAX_VALUE || next.seqNo().value() != previous + 1) {
                throw new IllegalArgumentException("the next seqno of key " + key + " must be the expected seqno "
                        + expected.get() + " plus one, was " + next.seqNo());
            }
        }
    }

    static void requireScan(String key, SeqNo from, int limit) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(from, "from");
        if (limit <= 0) {
            throw new IllegalArgumentException("scan limit must be positive, was " + limit);
        }
    }

    /** The failure of a truncate that would have removed the head of {@code key}. */
    static IllegalArgumentException truncatePastHead(String key, SeqNo seqNo, Optional<SeqNo> head) {
        return new IllegalArgumentException(head
                .map(h -> "seqno " + seqNo + " is past the head " + h + " of key " + key)
                .orElseGet(() -> "seqno " + seqNo + " is past the head of key " + key + ", which has no versions"));
    }
}
