package io.flinkpersist.persist.write;

import java.util.Objects;

/**
 * Which checkpoint of which committer an append carries, recorded in the shard in the same compare-and-set
 * as the data. An append whose checkpoint is at or below the one recorded for its committer is recognised as
 * already committed: this is what deduplicates a replayed committable after a restore, however long the job
 * was down.
 *
 * @param committer a stable name of the committer and its run (for a Flink sink: its uid and the job id that
 *     created the committable); at most 512 printable characters
 * @param checkpointId a number that grows with each append of this committer
 */
public record CommitMarker(String committer, long checkpointId) {
    public CommitMarker {
        Objects.requireNonNull(committer, "committer");
        if (committer.isEmpty() || committer.length() > 512 || committer.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("committer name must be 1 to 512 printable characters, was \""
                    + committer.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id must not be negative, was " + checkpointId);
        }
    }
}
