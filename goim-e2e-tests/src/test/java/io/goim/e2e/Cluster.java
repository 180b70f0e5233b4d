package io.goim.e2e;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/**
 * More than one of each (issue 13): Eureka, two logics, two jobs and two comets, each its own process
 * on 127.0.0.1 from its executable jar, a Kafka broker (KRaft, its own JVM: {@link KafkaBroker}) with
 * {@code goim-push-topic} on 3 partitions, and a redis-server of its own ({@link LocalRedis#own()}):
 * the fault tests stop and start both. job calls the first comet through {@link #slowProxy}. Every
 * port is bound at random and read from the logs. {@link #close()} stops whatever was started, also
 * after a failed start.
 */
final class Cluster implements AutoCloseable {
    static final String TOPIC = "goim-push-topic";
    static final int PARTITIONS = 3;
    static final String JOB_GROUP = "goim-push-group-job";
    static final Duration READY = Duration.ofSeconds(300);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One service process with the ports it bound. */
    static final class Node {
        final String role;
        final String name;
        final List<String> args;
        final String server;
        /** For a comet: the proxy job calls it through (its advertised gRPC port), else null. */
        final DelayProxy proxy;

        ServiceProcess process;
        int http;
        int ws;
        int grpc;
        private int starts;

        Node(String role, String name, List<String> args, String server, DelayProxy proxy) {
            this.role = role;
            this.name = name;
            this.args = args;
            this.server = server;
            this.proxy = proxy;
        }

        void start() {
            starts++;
            process = ServiceProcess.start(starts == 1 ? name : name + "-" + starts, "goim.jar." + role, args);
        }

        void awaitPorts() {
            http = awaitPort(process, "Netty started on port (\\d+)");
            if (role.equals("comet")) {
                ws = awaitPort(process, "comet ws listening .* port=(\\d+)");
                grpc = awaitPort(process, "comet gRPC listening .* port=(\\d+)");
                if (proxy != null) {
                    proxy.upstream(grpc);
                }
            }
        }
    }

    final LocalRedis redis;
    final KafkaBroker kafka;
    /** In front of the first comet's gRPC port: job calls that comet through it (a slow comet). */
    final DelayProxy slowProxy;

    private final List<ServiceProcess> stopped = new ArrayList<>();
    private ServiceProcess eureka;
    final List<Node> logics = new ArrayList<>();
    final List<Node> jobs = new ArrayList<>();
    final List<Node> comets = new ArrayList<>();

    private Cluster(LocalRedis redis, KafkaBroker kafka, DelayProxy slowProxy) {
        this.redis = redis;
        this.kafka = kafka;
        this.slowProxy = slowProxy;
    }

    static Cluster start() throws Exception {
        // Redis and Kafka of the cluster's own, as processes: the fault tests stop them
        LocalRedis redis = LocalRedis.own();
        KafkaBroker kafka;
        try {
            kafka = KafkaBroker.start(PARTITIONS, TOPIC, "goim-upstream-topic");
        } catch (Exception | Error e) {
            redis.close();
            throw e;
        }
        Cluster cluster = new Cluster(redis, kafka, new DelayProxy());
        // the test JVM ended from outside (a build stopped, a fork timeout): no @AfterAll runs, and
        // the services, processes of their own, would live on
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::killAll, "cluster-cleanup"));
        try {
            cluster.startServices();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startServices() {
        eureka = ServiceProcess.start("cluster-eureka", "goim.jar.eureka", List.of("--server.port=0"));
        String eurekaUrl = "http://127.0.0.1:" + awaitPort(eureka, "started on port (\\d+)") + "/eureka/";
        // no warm-up: two logics would each send theirs to both comets (PushWarmup)
        List<String> common = ServiceProcess.systemArgs(eurekaUrl, kafka.brokers(), redis.port(), 0);
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 1; i <= 2; i++) {
            logics.add(new Node("logic", "cluster-logic-" + i, common, null, null));
            jobs.add(new Node("job", "cluster-job-" + i, common, null, null));
            String server = "cluster-comet-" + i + "-" + run;
            // job calls the first comet through the proxy (its advertised gRPC port): no delay
            // until the slow-comet test sets one
            DelayProxy proxy = i == 1 ? slowProxy : null;
            List<String> args = concat(
                    common,
                    "--goim.comet.websocket.port=0",
                    "--goim.comet.tcp.port=0",
                    "--goim.comet.server-id=" + server,
                    "--goim.comet.drain.time=2s");
            if (proxy != null) {
                args = concat(args, "--goim.comet.discovery.grpc-port=" + proxy.port());
            }
            comets.add(new Node("comet", "cluster-comet-" + i, args, server, proxy));
        }
        all().forEach(Node::start);
        all().forEach(Node::awaitPorts);
        for (Node comet : comets) {
            awaitCometReady(comet);
        }
        for (Node job : jobs) {
            awaitJobSeesComets(job, comets);
        }
        for (Node logic : logics) {
            awaitLogicListsComets(logic, comets);
        }
        awaitJobsOwnEveryPartition();
    }

    /**
     * The broker made the topic with {@link #PARTITIONS}; logic's {@code goim.logic.kafka.partitions}
     * (4) adds one after the jobs subscribed, as raising the partitions of a running cluster does:
     * the jobs must take it up (their metadata refresh), or its records wait unread.
     */
    void awaitJobsOwnEveryPartition() {
        try (Admin admin = kafka.admin()) {
            await("the jobs own every partition of " + TOPIC)
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        int partitions = admin.describeTopics(List.of(TOPIC))
                                .allTopicNames()
                                .get()
                                .get(TOPIC)
                                .partitions()
                                .size();
                        Set<Integer> owned = new HashSet<>();
                        admin.describeConsumerGroups(List.of(JOB_GROUP))
                                .all()
                                .get()
                                .get(JOB_GROUP)
                                .members()
                                .forEach(m -> m.assignment().topicPartitions().stream()
                                        .filter(tp -> tp.topic().equals(TOPIC))
                                        .forEach(tp -> owned.add(tp.partition())));
                        return partitions > PARTITIONS && owned.size() == partitions;
                    });
        }
    }

    List<Node> all() {
        List<Node> all = new ArrayList<>(logics);
        all.addAll(jobs);
        all.addAll(comets);
        return all;
    }

    static void awaitCometReady(Node comet) {
        await("comet " + comet.name + " up")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> ServiceProcess.up(get(comet.http, "/actuator/health/readiness")));
    }

    static void awaitJobSeesComets(Node job, List<Node> comets) {
        await("job " + job.name + " knows every comet")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    String health = get(job.http, "/actuator/health");
                    return comets.stream().allMatch(c -> health.contains(c.server));
                });
    }

    static void awaitLogicListsComets(Node logic, List<Node> comets) {
        await("logic " + logic.name + " lists every comet")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    String nodes = get(logic.http, "/goim/nodes/weighted?platform=web");
                    return comets.stream().allMatch(c -> nodes.contains(c.server));
                });
    }

    /** The process is gone for good: {@link #close()} need not stop it, its leaks are still read. */
    void forget(ServiceProcess process) {
        stopped.add(process);
    }

    List<String> leaks() {
        List<String> leaks = new ArrayList<>();
        all().forEach(n -> leaks.addAll(n.process.leaks()));
        stopped.forEach(p -> leaks.addAll(p.leaks()));
        return leaks;
    }

    private void killAll() {
        all().stream().filter(n -> n.process != null).forEach(n -> n.process.killNow());
        stopped.forEach(ServiceProcess::killNow);
        if (eureka != null) {
            eureka.killNow();
        }
        kafka.killNow();
        redis.killNow();
    }

    @Override
    public void close() throws Exception {
        for (Node node : all().reversed()) {
            if (node.process != null) {
                node.process.close();
            }
        }
        for (ServiceProcess process : stopped) {
            process.close();
        }
        if (eureka != null) {
            eureka.close();
        }
        slowProxy.close();
        kafka.close();
        redis.close();
    }

    static int awaitPort(ServiceProcess service, String regex) {
        return await("port of " + service.name())
                .atMost(READY)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> service.find(regex), port -> port > 0);
    }

    static String get(int port, String path) {
        return get(port, path, Duration.ofSeconds(5));
    }

    /** The body of a GET, or "" when there was no answer within {@code timeout}. */
    static String get(int port, String path, Duration timeout) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(timeout)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "";
        }
    }

    /** A push API call; the body of the reply, or the error's text when there was none. */
    static String post(int port, String pathAndQuery, String body) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                                    // above logic's own bounds (Redis 3 s, Kafka 5 s here)
                                    .timeout(Duration.ofSeconds(10))
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "error: " + e;
        }
    }

    /** The sum of a Prometheus metric's samples whose line starts with {@code prefix} and holds {@code label}. */
    static double metric(int port, String prefix, String label) {
        return get(port, "/actuator/prometheus")
                .lines()
                .filter(line -> line.startsWith(prefix) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static List<String> concat(List<String> list, String... more) {
        List<String> all = new ArrayList<>(list);
        all.addAll(List.of(more));
        return all;
    }
}
