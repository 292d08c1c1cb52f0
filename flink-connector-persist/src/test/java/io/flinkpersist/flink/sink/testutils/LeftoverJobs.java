package io.flinkpersist.flink.sink.testutils;

import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Cancels the jobs a failed or timed-out test left on a shared MiniCluster: a job left running keeps its slots, and
 * every later test would wait for slots and fail for no fault of its own.
 */
public final class LeftoverJobs {
    private LeftoverJobs() {}

    public static void cancel(MiniCluster cluster) throws Exception {
        for (JobStatusMessage job : cluster.listJobs().get()) {
            if (!job.getJobState().isGloballyTerminalState()) {
                cluster.cancelJob(job.getJobId()).get();
                cluster.requestJobResult(job.getJobId()).get(30, TimeUnit.SECONDS);
            }
        }
    }
}
