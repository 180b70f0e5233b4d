package io.goim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goim.proto.frame.Op;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.WebSocketClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The goim push path end to end on real parts: Eureka, logic, job and comet as their own processes
 * from their executable jars, a real Redis, a real Kafka broker (KRaft, in this JVM), and goim
 * clients over WebSocket. Push API → Kafka → job → gRPC → comet → the addressed client only.
 */
class PushPathIT {
    private static final String TOPIC = "goim-push-topic";
    private static final Duration READY = Duration.ofSeconds(120);

    private static LocalRedis redis;
    private static EmbeddedKafkaKraftBroker kafka;
    private static final List<ServiceProcess> services = new ArrayList<>();
    private static ServiceProcess comet;
    private static ServiceProcess logicService;
    private static int cometHttpPort;
    private static int jobHttpPort;
    private static String cometServer;
    private static int logicPort;
    private static int wsPort;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, String> redisConnection;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<WebSocketClient> clients = new ArrayList<>();

    @BeforeAll
    static void startTheSystem() throws Exception {
        redis = LocalRedis.start();
        kafka = new EmbeddedKafkaKraftBroker(1, 4, TOPIC, "goim-upstream-topic");
        kafka.afterPropertiesSet();

        ServiceProcess eureka = start("eureka", "goim.jar.eureka", List.of("--server.port=0"));
        int eurekaPort = awaitPort(eureka, "started on port (\\d+)");
        String eurekaUrl = "http://127.0.0.1:" + eurekaPort + "/eureka/";
        cometServer = "e2e-comet-" + UUID.randomUUID();
        // the push path's warm-up runs here too, smaller: the tests' clients share the cores
        List<String> common = ServiceProcess.systemArgs(eurekaUrl, kafka.getBrokersAsString(), redis.port(), 200);
        ServiceProcess logic = start("logic", "goim.jar.logic", common);
        ServiceProcess job = start("job", "goim.jar.job", common);
        comet = start(
                "comet",
                "goim.jar.comet",
                concat(
                        common,
                        "--goim.comet.websocket.port=0",
                        "--goim.comet.tcp.port=0",
                        "--goim.comet.server-id=" + cometServer));

        logicPort = awaitPort(logic, "Netty started on port (\\d+)");
        int jobPort = awaitPort(job, "Netty started on port (\\d+)");
        jobHttpPort = jobPort;
        cometHttpPort = awaitPort(comet, "Netty started on port (\\d+)");
        logicService = logic;
        wsPort = awaitPort(comet, "comet ws listening .* port=(\\d+)");
        // ready when comet can reach logic and job can reach comet, both through Eureka
        await().atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> ServiceProcess.up(get(cometHttpPort, "/actuator/health/readiness")));
        await().atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> get(jobPort, "/actuator/health").contains(cometServer));

        redisClient = RedisClient.create("redis://127.0.0.1:" + redis.port());
        redisConnection = redisClient.connect();
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (ServiceProcess service : services.reversed()) {
            leaks.addAll(service.leaks());
            service.close();
        }
        if (redisConnection != null) {
            redisConnection.close();
            redisClient.shutdown();
        }
        if (kafka != null) {
            kafka.destroy();
        }
        if (redis != null) {
            redis.close();
        }
        assertThat(leaks).as("Netty leak reports in the services' logs").isEmpty();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WebSocketClient::close);
    }

    @Test
    void logicsWarmupGoesThroughKafkaAndJobToTheComet() {
        // 200 warm-up pushes (see the services' arguments): logic's API, Kafka, job, and on to
        // the comets job knows by then (job may learn of the comet after the first ones)
        int failed = await("logic's warm-up")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> logicService.find("push warm-up done sent=200 failed=(\\d+)"), n -> n >= 0);
        assertThat(failed).isZero();
        await("job's ROOM pushes")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> metric(jobHttpPort, "goim_job_pushes_total{", "type=\"ROOM\""), n -> n >= 200);
        await("BroadcastRoom calls on comet")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> metric(cometHttpPort, "grpc_server_seconds_count{", "rpc_method=\"BroadcastRoom\""),
                        n -> n > 0);
    }

    /** The sum of a Prometheus metric's samples whose line holds {@code label}. */
    private static double metric(int port, String prefix, String label) {
        return get(port, "/actuator/prometheus")
                .lines()
                .filter(line -> line.startsWith(prefix) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void authAndHeartbeatFollowGoimsLifecycle() throws Exception {
        long mid = newMid();
        String room = "live://e2e-" + UUID.randomUUID();
        WebSocketClient client = connect();

        Received auth = client.auth(WebSocketClient.token(mid, "", room, "1000"));
        assertThat(auth.op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(auth.seq()).isEqualTo(client.lastSeq());
        assertThat(auth.body()).isEmpty();

        Received heartbeat = client.heartbeat();
        assertThat(heartbeat.op()).isEqualTo(Op.HEARTBEAT_REPLY);
        assertThat(heartbeat.seq()).isEqualTo(client.lastSeq());
        assertThat(heartbeat.body()).hasSize(4);
        assertThat(ByteBuffer.wrap(heartbeat.body()).getInt())
                .as("online count of the client's room on this comet")
                .isEqualTo(1);

        // the session mapping of contract section 4, written by logic's Connect
        Map<String, String> byMid = redis().hgetall("mid_" + mid);
        assertThat(byMid).hasSize(1).containsValue(cometServer);
        String key = byMid.keySet().iterator().next();
        assertThat(redis().get("key_" + key)).isEqualTo(cometServer);

        // logic's Disconnect removes it when the connection closes
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().exists("key_" + key, "mid_" + mid) == 0);
    }

    @Test
    void pushByMidsReachesExactlyTheAddressedClient() throws Exception {
        long addressedMid = newMid();
        long otherMid = newMid();
        WebSocketClient addressed = authenticated(addressedMid, "", "1000,1001");
        WebSocketClient other = authenticated(otherMid, "", "1000,1001");

        assertThat(push("/goim/push/mids?operation=1000&mids=" + addressedMid, "hello mid"))
                .contains("\"code\":0");

        assertDelivered(addressed.next(), 1000, "hello mid");
        assertNothingArrives(other);

        // the other client is reachable: what it receives next is its own push
        push("/goim/push/mids?operation=1001&mids=" + otherMid, "hello other");
        assertDelivered(other.next(), 1001, "hello other");
        assertNothingArrives(addressed);
    }

    @Test
    void pushByKeysReachesExactlyTheAddressedClient() throws Exception {
        String addressedKey = "e2e-key-" + UUID.randomUUID();
        WebSocketClient addressed = authenticated(newMid(), addressedKey, "1000");
        WebSocketClient other = authenticated(newMid(), "e2e-key-" + UUID.randomUUID(), "1000");

        assertThat(push("/goim/push/keys?operation=1000&keys=" + addressedKey, "hello key"))
                .contains("\"code\":0");

        assertDelivered(addressed.next(), 1000, "hello key");
        assertNothingArrives(other);
    }

    @Test
    void pushHonoursTheAcceptsOfTheToken() throws Exception {
        long mid = newMid();
        WebSocketClient client = authenticated(mid, "", "1000");

        push("/goim/push/mids?operation=1002&mids=" + mid, "not accepted");
        push("/goim/push/mids?operation=1000&mids=" + mid, "accepted");

        // both records carry the connection key as their Kafka key: same partition, same order
        assertDelivered(client.next(), 1000, "accepted");
        assertNothingArrives(client);
    }

    @Test
    void pushAnswersMinus400ForABadRequest() throws Exception {
        assertThat(push("/goim/push/mids?mids=1", "no operation")).contains("\"code\":-400");
        assertThat(push("/goim/push/mids?operation=1000&mids=x", "bad mid")).contains("\"code\":-400");
    }

    @Test
    void pushAcceptsTheFormContentTypeCurlSendsByDefault() throws Exception {
        long mid = newMid();
        WebSocketClient client = authenticated(mid, "", "1000");

        // goim's README example: curl -d 'mid message' '.../goim/push/mids?operation=1000&mids=123'
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + logicPort + "/goim/push/mids?operation=1000&mids=" + mid))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("mid message"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).contains("\"code\":0");
        assertDelivered(client.next(), 1000, "mid message");
    }

    @Test
    void pushRoomReachesEveryClientInTheRoomWhateverItAccepts() throws Exception {
        String room = "e2e-" + UUID.randomUUID();
        WebSocketClient first = authenticatedIn(newMid(), "live://" + room, "1000");
        WebSocketClient second = authenticatedIn(newMid(), "live://" + room, "1001");
        WebSocketClient elsewhere = authenticatedIn(newMid(), "live://other-" + room, "1000");

        assertThat(push("/goim/push/room?operation=1005&type=live&room=" + room, "room message"))
                .contains("\"code\":0");

        assertDelivered(first.next(), 1005, "room message");
        assertDelivered(second.next(), 1005, "room message");
        assertNothingArrives(elsewhere);
    }

    @Test
    void roomMessagesArriveInTheOrderTheyWerePushed() throws Exception {
        String room = "e2e-" + UUID.randomUUID();
        WebSocketClient client = authenticatedIn(newMid(), "live://" + room, "");

        for (int i = 0; i < 30; i++) {
            push("/goim/push/room?operation=1000&type=live&room=" + room, "m" + i);
        }

        // merged or not, the inner frames come in push order
        List<String> bodies = new ArrayList<>();
        while (bodies.size() < 30) {
            Received frame = client.next();
            assertThat(frame.op()).isEqualTo(Op.RAW);
            frame.inner().forEach(inner -> bodies.add(inner.text()));
        }
        assertThat(bodies)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30)
                        .mapToObj(i -> "m" + i)
                        .toList());
    }

    @Test
    void pushAllReachesEveryClientThatAcceptsTheOperation() throws Exception {
        WebSocketClient accepting = authenticated(newMid(), "", "1003");
        WebSocketClient refusing = authenticated(newMid(), "", "1000");

        assertThat(push("/goim/push/all?operation=1003&speed=100", "to everyone"))
                .contains("\"code\":0");

        assertDelivered(accepting.next(), 1003, "to everyone");
        assertNothingArrives(refusing);
    }

    @Test
    void upstreamMessagesReachTheUpstreamTopicWithTheirConnection() throws Exception {
        long mid = newMid();
        String key = "e2e-up-" + UUID.randomUUID();
        WebSocketClient client = authenticated(mid, key, "1000");

        client.send(4000, "hello business");
        Received echo = client.next();
        assertThat(echo.op()).isEqualTo(4000);
        assertThat(echo.body()).isEmpty();

        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "e2e-upstream-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
            consumer.subscribe(List.of("goim-upstream-topic"));
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                return values.stream().anyMatch(value -> value.contains("\"key\":\"" + key + "\""));
            });
            String value =
                    values.stream().filter(v -> v.contains(key)).findFirst().orElseThrow();
            assertThat(value)
                    .contains("\"mid\":" + mid)
                    .contains("\"op\":4000")
                    .contains("\"server\":\"" + cometServer + "\"")
                    .contains(java.util.Base64.getEncoder().encodeToString("hello business".getBytes()));
        }
    }

    private WebSocketClient authenticatedIn(long mid, String room, String accepts) throws Exception {
        WebSocketClient client = connect();
        assertThat(client.auth(WebSocketClient.token(mid, "", room, accepts)).op())
                .isEqualTo(Op.AUTH_REPLY);
        return client;
    }

    private WebSocketClient authenticated(long mid, String key, String accepts) throws Exception {
        WebSocketClient client = connect();
        assertThat(client.auth(WebSocketClient.token(mid, key, "", accepts)).op())
                .isEqualTo(Op.AUTH_REPLY);
        return client;
    }

    private WebSocketClient connect() {
        WebSocketClient client = WebSocketClient.connect(wsPort);
        clients.add(client);
        return client;
    }

    /**
     * goim-bench's cases in their short form, as CI runs them: they assert that every client got in
     * and every push reached every client it was meant for, never how fast (that is the load
     * tool's full form, on a quiet machine; README, Measured).
     */
    @Test
    void theLoadToolsShortCasesAuthenticateEveryClientAndDeliverEveryPush() throws Exception {
        String ws = "ws://127.0.0.1:" + wsPort + "/sub";
        String logic = "http://127.0.0.1:" + logicPort;

        LoadTool storm = LoadTool.run(
                "connect-storm",
                "--ws",
                ws,
                "--clients",
                "300",
                "--connect-per-second",
                "300",
                "--mid-base",
                "7100000000",
                "--hold-ms",
                "200",
                "--settle-ms",
                "0");
        assertThat(storm.output()).contains("authenticated 300, closed by the server 0 {}, failed 0");
        assertThat(storm.exitCode()).isZero();

        LoadTool room = LoadTool.run(
                "busy-room",
                "--ws",
                ws,
                "--clients",
                "200",
                "--connect-per-second",
                "400",
                "--rate",
                "10",
                "--seconds",
                "3",
                "--deadline-ms",
                "10000",
                "--mid-base",
                "7200000000",
                "--room",
                "live://e2e-busy",
                "--push",
                logic + "/goim/push/room?operation=1000&type=live&room=e2e-busy");
        assertThat(room.output()).contains("delivered 6000 of 6000").contains("duplicates 0, failed pushes 0");
        assertThat(room.exitCode()).isZero();

        LoadTool mids = LoadTool.run(
                "mids-push",
                "--ws",
                ws,
                "--clients",
                "200",
                "--connect-per-second",
                "400",
                "--rate",
                "50",
                "--seconds",
                "3",
                "--pushers",
                "4",
                "--mid-base",
                "7300000000",
                "--push",
                logic + "/goim/push/mids?operation=1000&mids=");
        assertThat(mids.output()).contains("delivered 150 of 150, to the wrong user 0, failed pushes 0");
        assertThat(mids.exitCode()).isZero();
    }

    private static void assertDelivered(Received frame, int operation, String body) {
        assertThat(frame.op()).as("pushes reach a WebSocket client as op 9").isEqualTo(Op.RAW);
        List<Received> inner = frame.inner();
        assertThat(inner).hasSize(1);
        assertThat(inner.getFirst().op()).isEqualTo(operation);
        assertThat(inner.getFirst().ver()).isEqualTo(1);
        assertThat(inner.getFirst().text()).isEqualTo(body);
    }

    private static void assertNothingArrives(WebSocketClient client) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> client.pending() == 0);
    }

    private String push(String pathAndQuery, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + logicPort + pathAndQuery))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static long newMid() {
        return ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_000_000_000L);
    }

    private static RedisCommands<String, String> redis() {
        return redisConnection.sync();
    }

    private static ServiceProcess start(String name, String jarProperty, List<String> args) {
        ServiceProcess service = ServiceProcess.start(name, jarProperty, args);
        services.add(service);
        return service;
    }

    private static int awaitPort(ServiceProcess service, String regex) {
        return await("port of " + service.name())
                .atMost(READY)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> service.find(regex), port -> port > 0);
    }

    private static String get(int port, String path) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "";
        }
    }

    private static List<String> concat(List<String> list, String... more) {
        List<String> all = new ArrayList<>(list);
        all.addAll(List.of(more));
        return all;
    }
}
