package io.flinkpersist.persist.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A real S3-protocol server (S3Proxy, in-memory storage) on 127.0.0.1, started once per JVM in a child
 * process: in-process it clashes with the AWS SDK that Hadoop's S3A uses.
 */
public final class S3ProxyServer {
    public static final String ACCESS_KEY = "persist-test-access";
    public static final String SECRET_KEY = "persist-test-secret-do-not-log";

    private static S3ProxyServer shared;

    private final Process process;
    private final int port;

    private S3ProxyServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The JVM-wide server, started on first use and stopped at JVM exit. */
    public static synchronized S3ProxyServer shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared.process::destroyForcibly));
        }
        return shared;
    }

    private static S3ProxyServer start() {
        String jar = System.getProperty("s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Paths.get(jar))) {
            throw new IllegalStateException("s3proxy.jar system property must point at the S3Proxy jar "
                    + "(Maven copies it to target/s3proxy); was " + jar);
        }
        try {
            int port = freePort();
            Path dir = Files.createTempDirectory("s3proxy");
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=transient-nio2",
                    "jclouds.identity=" + ACCESS_KEY,
                    "jclouds.credential=" + SECRET_KEY,
                    ""));
            Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(List.of(java.toString(), "-Xmx768m", "-jar", jar,
                    "--properties", properties.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s3proxy.log").toFile())
                    .start();
            S3ProxyServer server = new S3ProxyServer(process, port);
            server.awaitListening(dir.resolve("s3proxy.log"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening(Path log) throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("S3Proxy did not listen on port " + port + " within 60 s: " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Creates a fresh bucket (S3A cannot create buckets) and returns its name. */
    public String createBucket() {
        String bucket = "persist-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    /** A plain AWS SDK client, for checks that must not go through the code under test. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    /** The S3A options that reach this server. */
    public Map<String, String> s3aOptions() {
        Map<String, String> options = new HashMap<>();
        options.put("fs.s3a.endpoint", endpoint());
        options.put("fs.s3a.endpoint.region", "us-east-1");
        options.put("fs.s3a.path.style.access", "true");
        options.put("fs.s3a.connection.ssl.enabled", "false");
        options.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        options.put("fs.s3a.access.key", ACCESS_KEY);
        options.put("fs.s3a.secret.key", SECRET_KEY);
        // Fail fast in tests rather than retrying a dead local server for minutes.
        options.put("fs.s3a.attempts.maximum", "2");
        options.put("fs.s3a.retry.limit", "2");
        return options;
    }
}
