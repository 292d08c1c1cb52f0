package io.flinkpersist.flink.sink.testutils;

import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;

/**
 * A MiniCluster for one deployment, as each run of an application cluster (or a Kubernetes upgrade) is: a job id
 * can be submitted to a cluster only once, so jobs that reuse a fixed job id each need a cluster of their own.
 */
public final class OwnMiniCluster implements AutoCloseable {
    private final MiniCluster cluster;
    private final int parallelism;

    /** @param clusterConfiguration e.g. a metrics reporter's */
    public OwnMiniCluster(Configuration clusterConfiguration, int slots, int parallelism) throws Exception {
        this.parallelism = parallelism;
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConfiguration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
    }

    /** An environment that submits to this cluster, with {@code jobConfiguration}. */
    public StreamExecutionEnvironment env(Configuration jobConfiguration) {
        return new TestStreamEnvironment(cluster, jobConfiguration, parallelism, List.of(), List.of());
    }

    /** {@code conf}, set to run the job under {@code id}, as application mode with HA does. */
    public static Configuration fixedJobId(Configuration conf, JobID id) {
        conf.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, id.toHexString());
        return conf;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
