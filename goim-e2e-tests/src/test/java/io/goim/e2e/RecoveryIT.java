package io.goim.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * History and recovery end to end (issue 15, docs/recovery.md): Eureka, logic, job and comet as
 * processes, a real Redis, a real Kafka broker, goim WebSocket clients that send op 18. A client
 * misses 30 room messages and recovers all 30 in order, then live ones; the same with job killed
 * (SIGKILL) in the gap and another job taking over; a user offline gets the pushes by mids sent
 * meanwhile; a room whose keys are gone answers "not recovered" with its current position, and so
 * does a room that kept fewer messages than the client missed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryIT {
    private static final String TOPIC = "goim-push-topic";
    private static final Duration READY = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.shared();
    /** A room type whose rooms keep only their last {@value} messages (job's history.types). */
    private static final int SHORT_SIZE = 3;

    private static LocalRedis redis;
    private static EmbeddedKafkaKraftBroker kafka;
    private static final List<ServiceProcess> services = new ArrayList<>();
    private static List<String> common;
    private static List<String> jobArgs;
    private static ServiceProcess job;
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
        ServiceProcess eureka = start("recovery-eureka", "goim.jar.eureka", List.of("--server.port=0"));
        String eurekaUrl = "http://127.0.0.1:" + awaitPort(eureka, "started on port (\\d+)") + "/eureka/";
        cometServer = "recovery-comet-" + UUID.randomUUID();
        common = ServiceProcess.systemArgs(eurekaUrl, kafka.getBrokersAsString(), redis.port(), 0);
        ServiceProcess logic = start("recovery-logic", "goim.jar.logic", common);
        jobArgs = new ArrayList<>(common);
        jobArgs.addAll(
                List.of("--goim.job.history.types.short.size=" + SHORT_SIZE, "--goim.job.history.types.short.ttl=5m"));
        job = start("recovery-job", "goim.jar.job", jobArgs);
        List<String> cometArgs = new ArrayList<>(common);
        cometArgs.addAll(List.of(
                "--goim.comet.websocket.port=0", "--goim.comet.tcp.port=0", "--goim.comet.server-id=" + cometServer));
        ServiceProcess comet = start("recovery-comet", "goim.jar.comet", cometArgs);
        logicPort = awaitPort(logic, "Netty started on port (\\d+)");
        int jobPort = awaitPort(job, "Netty started on port (\\d+)");
        int cometHttpPort = awaitPort(comet, "Netty started on port (\\d+)");
        wsPort = awaitPort(comet, "comet ws listening .* port=(\\d+)");
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
    @Order(1)
    void aClientThatMissed30RoomMessagesRecoversThemInOrderThenLiveOnesWithoutGap() throws Exception {
        String room = "chat://recovery-" + UUID.randomUUID();
        String roomQuery = "type=chat&room=" + room.substring("chat://".length());
        WebSocketClient first = connect(newMid(), room, "{\"room\":{}}");
        JsonNode position = recoverReply(first).path("room");
        assertThat(position.path("recovered").asBoolean()).isFalse();
        String epoch = position.path("epoch").asString();
        assertThat(epoch).isNotEmpty();
        assertThat(position.path("offset").asLong()).isZero();

        for (int i = 1; i <= 3; i++) {
            pushRoom(roomQuery, "m" + i);
        }
        assertThat(roomMessages(first, 3)).containsExactly("1:m1", "2:m2", "3:m3");
        first.close();

        for (int i = 4; i <= 33; i++) {
            pushRoom(roomQuery, "m" + i);
        }
        awaitOffset("goim_rs_{" + room + "}", 33);

        WebSocketClient again = connect(newMid(), room, "{\"room\":{\"epoch\":\"" + epoch + "\",\"offset\":3}}");
        JsonNode recovered = recoverReply(again).path("room");
        assertThat(recovered.path("id").asString()).isEqualTo(room);
        assertThat(recovered.path("recovered").asBoolean()).isTrue();
        assertThat(recovered.path("epoch").asString()).isEqualTo(epoch);
        assertThat(recovered.path("offset").asLong()).isEqualTo(33);
        List<String> expected = new ArrayList<>();
        for (int i = 4; i <= 33; i++) {
            expected.add(i + ":m" + i);
        }
        assertThat(roomMessages(again, 30)).containsExactlyElementsOf(expected);

        for (int i = 34; i <= 38; i++) {
            pushRoom(roomQuery, "m" + i);
        }
        assertThat(roomMessages(again, 5)).containsExactly("34:m34", "35:m35", "36:m36", "37:m37", "38:m38");

        // the same history for back ends, behind the push API's keys (none configured here)
        JsonNode page = JSON.readTree(get(logicPort, "/goim/history/room?room=" + room + "&since=30&limit=5"));
        assertThat(page.path("code").asInt()).isZero();
        assertThat(page.path("data").path("offset").asLong()).isEqualTo(38);
        assertThat(page.path("data").path("recovered").asBoolean()).isTrue();
        List<String> bodies = new ArrayList<>();
        page.path("data")
                .path("messages")
                .forEach(m -> bodies.add(m.path("offset").asLong() + ":"
                        + new String(Base64.getDecoder().decode(m.path("body").asString()), UTF_8)));
        assertThat(bodies).containsExactly("31:m31", "32:m32", "33:m33", "34:m34", "35:m35");
        JsonNode bad = JSON.readTree(get(logicPort, "/goim/history/room?room=nochat&since=0"));
        assertThat(bad.path("code").asInt()).isEqualTo(-400);
        assertThat(bad.path("message").asString()).contains("type://id");
    }

    @Test
    @Order(2)
    void aJobKilledInTheGapLosesNoOffsetAndRepeatsNone() throws Exception {
        String room = "chat://recovery-kill-" + UUID.randomUUID();
        String roomQuery = "type=chat&room=" + room.substring("chat://".length());
        WebSocketClient first = connect(newMid(), room, "{\"room\":{}}");
        String epoch = recoverReply(first).path("room").path("epoch").asString();
        first.close();

        for (int i = 1; i <= 15; i++) {
            pushRoom(roomQuery, "m" + i);
        }
        // a crash: no drain, no commit of what it had not committed yet
        job.kill();
        for (int i = 16; i <= 30; i++) {
            pushRoom(roomQuery, "m" + i);
        }
        job = start("recovery-job-2", "goim.jar.job", jobArgs);
        awaitOffset("goim_rs_{" + room + "}", 30);

        WebSocketClient again = connect(newMid(), room, "{\"room\":{\"epoch\":\"" + epoch + "\",\"offset\":0}}");
        JsonNode recovered = recoverReply(again).path("room");
        assertThat(recovered.path("recovered").asBoolean()).isTrue();
        assertThat(recovered.path("offset").asLong()).isEqualTo(30);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            expected.add(i + ":m" + i);
        }
        assertThat(roomMessages(again, 30)).containsExactlyElementsOf(expected);

        pushRoom(roomQuery, "m31");
        // a record the new job replays after the reply may come again live, with its old offset
        // (docs/recovery.md): never a new one, so the next new offset is 31
        List<String> live = new ArrayList<>();
        while (live.isEmpty() || !live.getLast().equals("31:m31")) {
            live.addAll(roomMessages(again, 1));
        }
        assertThat(live.getLast()).isEqualTo("31:m31");
        assertThat(live.subList(0, live.size() - 1))
                .allSatisfy(seen -> assertThat(expected).contains(seen));
    }

    @Test
    @Order(3)
    void aUserOfflineGetsThePushesByMidsSentMeanwhile() throws Exception {
        long mid = newMid();
        WebSocketClient first = connect(mid, "", "{\"user\":{}}");
        JsonNode position = recoverReply(first).path("user");
        String epoch = position.path("epoch").asString();
        assertThat(epoch).isNotEmpty();
        long offset = position.path("offset").asLong();
        first.close();
        await().atMost(WAIT).until(() -> redis().exists("mid_" + mid) == 0);

        // nobody of this mid is connected: the pushes go to the inbox only
        for (int i = 1; i <= 3; i++) {
            assertThat(push("/goim/push/mids?operation=1000&mids=" + mid, "offline " + i))
                    .contains("\"code\":0");
        }

        WebSocketClient again = connect(mid, "", "{\"user\":{\"epoch\":\"" + epoch + "\",\"offset\":" + offset + "}}");
        JsonNode recovered = recoverReply(again).path("user");
        assertThat(recovered.path("recovered").asBoolean()).isTrue();
        assertThat(recovered.path("offset").asLong()).isEqualTo(offset + 3);
        Received inbox = again.next();
        assertThat(inbox.op()).isEqualTo(Op.USER_RAW);
        assertThat(inbox.inner())
                .extracting(f -> f.seq() + ":" + f.text())
                .containsExactly((offset + 1) + ":offline 1", (offset + 2) + ":offline 2", (offset + 3) + ":offline 3");

        push("/goim/push/mids?operation=1000&mids=" + mid, "online");
        Received live = again.next();
        assertThat(live.op()).isEqualTo(Op.USER_RAW);
        assertThat(live.inner()).extracting(f -> f.seq() + ":" + f.text()).containsExactly((offset + 4) + ":online");

        JsonNode page = JSON.readTree(get(logicPort, "/goim/history/mid?mid=" + mid + "&since=" + offset));
        assertThat(page.path("data").path("messages")).hasSize(4);
        assertThat(JSON.readTree(get(logicPort, "/goim/history/mid?mid=-1"))
                        .path("code")
                        .asInt())
                .isEqualTo(-400);
    }

    @Test
    @Order(4)
    void aRoomWhoseHistoryIsGoneAnswersNotRecoveredWithItsCurrentPosition() throws Exception {
        String room = "chat://recovery-gone-" + UUID.randomUUID();
        String roomQuery = "type=chat&room=" + room.substring("chat://".length());
        WebSocketClient first = connect(newMid(), room, "{\"room\":{}}");
        String epoch = recoverReply(first).path("room").path("epoch").asString();
        pushRoom(roomQuery, "m1");
        pushRoom(roomQuery, "m2");
        assertThat(roomMessages(first, 2)).containsExactly("1:m1", "2:m2");
        first.close();

        // this room's keys only, as an expiry or a flush would leave it (never FLUSHALL)
        redis().del("goim_rs_{" + room + "}", "goim_rh_{" + room + "}", "goim_rk_{" + room + "}");

        WebSocketClient again = connect(newMid(), room, "{\"room\":{\"epoch\":\"" + epoch + "\",\"offset\":2}}");
        JsonNode answer = recoverReply(again).path("room");
        assertThat(answer.path("recovered").asBoolean()).isFalse();
        String newEpoch = answer.path("epoch").asString();
        assertThat(newEpoch).isNotEmpty().isNotEqualTo(epoch);
        assertThat(answer.path("offset").asLong()).isZero();

        // live messages go on in the new epoch, from its position on
        pushRoom(roomQuery, "m3");
        assertThat(roomMessages(again, 1)).containsExactly("1:m3");
        assertThat(redis().hget("goim_rs_{" + room + "}", "e")).isEqualTo(newEpoch);
    }

    @Test
    @Order(5)
    void aClientThatMissedMoreThanTheRoomKeepsIsNotRecoveredAndGetsTheCurrentPosition() throws Exception {
        String room = "short://recovery-old-" + UUID.randomUUID();
        String roomQuery = "type=short&room=" + room.substring("short://".length());
        WebSocketClient first = connect(newMid(), room, "{\"room\":{}}");
        String epoch = recoverReply(first).path("room").path("epoch").asString();
        pushRoom(roomQuery, "m1");
        pushRoom(roomQuery, "m2");
        assertThat(roomMessages(first, 2)).containsExactly("1:m1", "2:m2");
        first.close();

        // away: 8 messages (3..10), of which the room keeps its last SHORT_SIZE (8..10)
        for (int i = 3; i <= 10; i++) {
            pushRoom(roomQuery, "m" + i);
        }
        awaitOffset("goim_rs_{" + room + "}", 10);

        WebSocketClient again = connect(newMid(), room, "{\"room\":{\"epoch\":\"" + epoch + "\",\"offset\":2}}");
        JsonNode answer = recoverReply(again).path("room");
        assertThat(answer.path("id").asString()).isEqualTo(room);
        assertThat(answer.path("recovered").asBoolean()).isFalse();
        // the history is not lost, only too short: same epoch, the current offset
        assertThat(answer.path("epoch").asString()).isEqualTo(epoch);
        assertThat(answer.path("offset").asLong()).isEqualTo(10);

        // the edge: a client that missed exactly what the room keeps is recovered
        WebSocketClient edge = connect(
                newMid(), room, "{\"room\":{\"epoch\":\"" + epoch + "\",\"offset\":" + (10 - SHORT_SIZE) + "}}");
        JsonNode recovered = recoverReply(edge).path("room");
        assertThat(recovered.path("recovered").asBoolean()).isTrue();
        assertThat(recovered.path("offset").asLong()).isEqualTo(10);
        assertThat(roomMessages(edge, SHORT_SIZE)).containsExactly("8:m8", "9:m9", "10:m10");

        // the client that was not recovered got none of the kept ones: its next room message is live
        pushRoom(roomQuery, "m11");
        assertThat(roomMessages(again, 1)).containsExactly("11:m11");
        assertThat(roomMessages(edge, 1)).containsExactly("11:m11");

        // back ends asking from the same offset are told the same
        JsonNode page = JSON.readTree(get(logicPort, "/goim/history/room?room=" + room + "&since=2"));
        assertThat(page.path("data").path("recovered").asBoolean()).isFalse();
        assertThat(page.path("data").path("epoch").asString()).isEqualTo(epoch);
        assertThat(page.path("data").path("offset").asLong()).isEqualTo(11);
        List<Long> kept = new ArrayList<>();
        page.path("data")
                .path("messages")
                .forEach(m -> kept.add(m.path("offset").asLong()));
        assertThat(kept).containsExactly(9L, 10L, 11L);
    }

    /** Connects, sends op 7 and op 18 back to back (docs/recovery.md), and takes op 8. */
    private WebSocketClient connect(long mid, String room, String recover) throws Exception {
        WebSocketClient client = WebSocketClient.connect(URI.create("ws://127.0.0.1:" + wsPort + "/sub"), null);
        clients.add(client);
        client.send(Op.AUTH, WebSocketClient.token(mid, "", room, "1000"));
        client.send(Op.RECOVER, recover);
        assertThat(client.next().op()).isEqualTo(Op.AUTH_REPLY);
        return client;
    }

    private static JsonNode recoverReply(WebSocketClient client) throws Exception {
        Received reply = client.next();
        assertThat(reply.op()).isEqualTo(Op.RECOVER_REPLY);
        return JSON.readTree(reply.text());
    }

    /** The next {@code count} room messages as "offset:body", however job merged them. */
    private static List<String> roomMessages(WebSocketClient client, int count) throws Exception {
        List<String> messages = new ArrayList<>();
        while (messages.size() < count) {
            Received frame = client.next();
            if (frame.op() == Op.HEARTBEAT_REPLY) {
                continue;
            }
            assertThat(frame.op()).isEqualTo(Op.RAW);
            frame.inner().forEach(inner -> messages.add(inner.seq() + ":" + inner.text()));
        }
        return messages;
    }

    private void pushRoom(String roomQuery, String body) throws Exception {
        assertThat(push("/goim/push/room?operation=1000&" + roomQuery, body)).contains("\"code\":0");
    }

    private static void awaitOffset(String positionKey, long offset) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> String.valueOf(offset).equals(redis().hget(positionKey, "o")));
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
}
