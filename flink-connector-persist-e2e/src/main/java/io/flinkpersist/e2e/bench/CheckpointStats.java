package io.flinkpersist.e2e.bench;

import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.JobMessageParameters;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.FailedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatisticsHeaders;
import org.apache.flink.runtime.rest.messages.util.stats.StatsSummaryDto;

/**
 * A job's checkpoints as Flink counted them: what its REST API serves at {@code /jobs/:jobid/checkpoints} (also for
 * a finished job), asked through Flink's own REST client. Durations are end to end, from the trigger to the last
 * acknowledgement; the median is Flink's, over all the job's completed checkpoints.
 *
 * @param p50Millis NaN when no checkpoint completed
 * @param failures the distinct reasons of the failed checkpoints in Flink's history of the job's latest ones
 */
record CheckpointStats(long completed, long failed, double p50Millis, long maxMillis, Set<String> failures) {
    static CheckpointStats of(RestClusterClient<?> client, JobID job) throws Exception {
        CheckpointingStatisticsHeaders headers = CheckpointingStatisticsHeaders.getInstance();
        JobMessageParameters parameters = headers.getUnresolvedMessageParameters();
        parameters.jobPathParameter.resolve(job);
        CheckpointingStatistics statistics =
                client.sendRequest(headers, parameters, EmptyRequestBody.getInstance()).get();
        StatsSummaryDto duration = statistics.getSummary().getDuration();
        long completed = statistics.getCounts().getNumberCompletedCheckpoints();
        Set<String> failures = new TreeSet<>();
        for (CheckpointStatistics checkpoint : statistics.getHistory()) {
            if (checkpoint instanceof FailedCheckpointStatistics failed) {
                failures.add(failed.getFailureMessage());
            }
        }
        return new CheckpointStats(completed, statistics.getCounts().getNumberFailedCheckpoints(),
                completed == 0 ? Double.NaN : duration.getP50(), duration.getMaximum(), failures);
    }
}
