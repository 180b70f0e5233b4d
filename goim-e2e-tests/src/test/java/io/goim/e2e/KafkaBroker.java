package io.goim.e2e;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker (KRaft, broker and controller in one) as a JVM of its own, from the Kafka jars on
 * the test's class path, so that a test can kill it and start it again on the same ports with the
 * same log directory, as an operator restarts a broker. An in-JVM broker cannot be stopped without
 * losing its ports and its log directory (spring-kafka-test's broker deletes both).
 */
final class KafkaBroker implements AutoCloseable {
    static final Duration READY = Duration.ofSeconds(180);
    private final Path dir;
    private final int port;
    private ServiceProcess process;
    private int starts;

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Formats a log directory, starts the broker and makes {@code topics}, each with {@code partitions}. */
    static KafkaBroker start(int partitions, String... topics) throws Exception {
        Path dir = Files.createTempDirectory("goim-cluster-kafka");
        int port = freePort();
        int controller = freePort();
        Files.writeString(
                dir.resolve("server.properties"),
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controller,
                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "num.partitions=" + partitions,
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=3",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        // two cores shared with every service and other builds: the controller
                        // answers the broker's heartbeats seconds late, so its session is longer than
                        // the default 9 s; but shorter than the fault's 30 s, for a restarted broker
                        // registers only once the killed one's session is over (with 60 s it gave
                        // up: initial.broker.registration.timeout.ms)
                        "broker.session.timeout.ms=20000",
                        "initial.broker.registration.timeout.ms=120000",
                        "num.network.threads=2",
                        "num.io.threads=2",
                        "background.threads=2",
                        "auto.create.topics.enable=true",
                        ""));
        Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="out"/></root>
                </configuration>
                """);
        KafkaBroker broker = new KafkaBroker(dir, port);
        try {
            ServiceProcess format = ServiceProcess.run(
                    "cluster-kafka-format",
                    broker.java(
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            Uuid.randomUuid().toString(),
                            "-c",
                            dir.resolve("server.properties").toString()));
            int exit = format.waitFor(READY);
            if (exit != 0) {
                throw new IllegalStateException("kafka storage format ended with " + exit + "; see its log");
            }
            broker.launch();
            try (Admin admin = broker.admin()) {
                admin.createTopics(Stream.of(topics)
                                .map(t -> new NewTopic(t, partitions, (short) 1))
                                .toList())
                        .all()
                        .get();
            }
            return broker;
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    private List<String> java(String main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                ServiceProcess.java(),
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                "-cp",
                classPath(),
                main));
        command.addAll(List.of(args));
        return command;
    }

    /** The test's class path (surefire's, when it runs the test from a manifest-only jar). */
    private static String classPath() {
        String path = System.getProperty("surefire.test.class.path");
        if (path == null || path.isBlank()) {
            path = System.getProperty("java.class.path");
        }
        return path;
    }

    private void launch() {
        starts++;
        process = ServiceProcess.run(
                "cluster-kafka" + (starts == 1 ? "" : "-" + starts),
                java("kafka.Kafka", dir.resolve("server.properties").toString()));
        await("kafka broker on " + port)
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> process.logged("Kafka Server started"));
    }

    Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                brokers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                30_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                120_000));
    }

    String brokers() {
        return "127.0.0.1:" + port;
    }

    /** SIGKILL: the broker crashes; what it acknowledged is in its log directory (the page cache). */
    void kill() throws InterruptedException {
        process.kill();
    }

    /** The same broker again: same ports, same log directory. */
    void restart() {
        launch();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Ends the process at once (for a JVM shutdown hook). */
    void killNow() {
        if (process != null) {
            process.killNow();
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.kill();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
