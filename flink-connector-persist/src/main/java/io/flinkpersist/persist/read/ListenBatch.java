package io.flinkpersist.persist.read;

import io.flinkpersist.persist.time.Frontier;

/**
 * One step of a {@link Listen}: the consolidated updates at times in {@code [previous progress, progress)}
 * (and after the listen's as-of), then the new progress.
 */
public record ListenBatch(Consolidator updates, Frontier progress) {}
