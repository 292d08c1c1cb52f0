package io.flinkpersist.flink.sink.testutils;

/**
 * Where {@link FailureInjectingSink} fails its job, once, in the first attempt and only after two checkpoints
 * were taken (so the restart restores a checkpoint and has committed data behind it).
 */
public enum FailurePoint {
    /** A writer throws while adding records, between two checkpoints: its batch is half built. */
    BEFORE_CHECKPOINT,
    /** A writer throws right after finishing its batch for a checkpoint: the batch is lost with the attempt. */
    AFTER_PREPARE_COMMIT,
    /** The committer throws right after its compare-and-append landed, before Flink records the commit. */
    AFTER_APPEND,
    /** A part upload fails every attempt of the blob's retry policy, so the writer's add or finish fails. */
    DURING_UPLOAD
}
