package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.util.Iterator;

/** The parts of a run in order, naming the part last returned, so that a run found out of order names its part. */
interface RunParts extends Iterator<ColumnarRecords> {
    /** The blob key (or inline description) of the part {@link #next()} last returned. */
    String lastPartName();
}
