package io.goim.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.proto.logic.PushMsg;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The push API on real parts: HTTP on a real port, the session mapping in a real Redis, records on
 * a real Kafka broker, decoded as job decodes them (contract sections 3, 4 and 5).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "eureka.client.enabled=false",
            "goim.logic.timeouts.kafka=10s",
            "management.endpoints.web.exposure.include=prometheus",
            // pushes by mids fill inboxes in the shared Redis: this test's expire soon
            "goim.logic.history.user.ttl=2m",
            "goim.logic.history.meta-ttl=2m"
        })
@AutoConfigureWebTestClient
@EmbeddedKafka(
        partitions = 4,
        topics = {"goim-push-topic", "goim-upstream-topic"},
        bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@DirtiesContext
class PushApiIT {
    private static final String TOPIC = "goim-push-topic";
    private static TopicRecords records;

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    private final List<String> written = new ArrayList<>();
    private final String s1 = "it-comet-a-" + UUID.randomUUID();
    private final String s2 = "it-comet-b-" + UUID.randomUUID();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", TestRedis::port);
    }

    @BeforeAll
    static void consumer(@Autowired EmbeddedKafkaBroker kafka) {
        records = new TopicRecords(kafka.getBrokersAsString(), TOPIC);
    }

    @AfterAll
    static void closeConsumer() {
        records.close();
    }

    @AfterEach
    void deleteKeys() {
        redis.delete(written);
    }

    private String key(String server) {
        String key = "it-key-" + UUID.randomUUID();
        redis.opsForValue().set("key_" + key, server, Duration.ofMinutes(5));
        written.add("key_" + key);
        return key;
    }

    private WebTestClient.BodyContentSpec post(String uri, String body) {
        return http.post()
                .uri(uri)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody();
    }

    private static PushMsg value(ConsumerRecord<String, byte[]> record) {
        try {
            return PushMsg.parseFrom(record.value());
        } catch (Exception e) {
            throw new AssertionError("not a PushMsg", e);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> withBody(String body, int count) {
        return records.await(count, r -> value(r).getMsg().toStringUtf8().equals(body)).stream()
                .sorted(Comparator.comparing(r -> value(r).getServer()))
                .toList();
    }

    @Test
    void pushKeysSendsOneRecordPerCometKeyedByItsFirstKey() {
        String a1 = key(s1);
        String a2 = key(s1);
        String b1 = key(s2);
        String body = "keys " + UUID.randomUUID();

        post(
                        "/goim/push/keys?operation=1000&keys=" + a1 + "," + a2 + "&keys=" + b1 + "&keys=gone-"
                                + UUID.randomUUID(),
                        body)
                .json("{\"code\":0,\"message\":\"ok\"}", true);

        List<ConsumerRecord<String, byte[]>> sent = withBody(body, 2);
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).key()).isEqualTo(a1);
        assertThat(value(sent.get(0)))
                .isEqualTo(PushMsg.newBuilder()
                        .setType(PushMsg.Type.PUSH)
                        .setOperation(1000)
                        .setServer(s1)
                        .addKeys(a1)
                        .addKeys(a2)
                        .setMsg(com.google.protobuf.ByteString.copyFromUtf8(body))
                        .build());
        assertThat(sent.get(1).key()).isEqualTo(b1);
        assertThat(value(sent.get(1)).getServer()).isEqualTo(s2);
        assertThat(value(sent.get(1)).getKeysList()).containsExactly(b1);
    }

    @Test
    void pushMidsReachesEveryConnectionOfTheUsers() {
        long mid = System.nanoTime();
        String a = "it-key-" + UUID.randomUUID();
        String b = "it-key-" + UUID.randomUUID();
        redis.opsForHash().put("mid_" + mid, a, s1);
        redis.opsForHash().put("mid_" + mid, b, s2);
        written.add("mid_" + mid);
        String body = "mids " + UUID.randomUUID();

        post("/goim/push/mids?operation=1001&mids=" + mid + "&mids=" + (mid + 1), body)
                .jsonPath("$.code")
                .isEqualTo(0);

        List<ConsumerRecord<String, byte[]>> sent = withBody(body, 2);
        assertThat(sent).extracting(ConsumerRecord::key).containsExactly(a, b);
        assertThat(sent).extracting(r -> value(r).getServer()).containsExactly(s1, s2);
        assertThat(sent).allSatisfy(r -> assertThat(value(r).getOperation()).isEqualTo(1001));
    }

    @Test
    void pushByMidsFillsTheInboxEvenOfflineAndCarriesEachKeysUserOffset() {
        long online = System.nanoTime();
        long offline = online + 1;
        String key = "it-key-" + UUID.randomUUID();
        redis.opsForHash().put("mid_" + online, key, "server-inbox");
        written.addAll(List.of(
                "mid_" + online,
                "goim_us_{" + online + "}",
                "goim_uh_{" + online + "}",
                "goim_us_{" + offline + "}",
                "goim_uh_{" + offline + "}"));
        String first = "inbox-1 " + UUID.randomUUID();
        String second = "inbox-2 " + UUID.randomUUID();

        post("/goim/push/mids?operation=1000&mids=" + online + "&mids=" + offline, first)
                .jsonPath("$.code")
                .isEqualTo(0);
        post("/goim/push/mids?operation=1001&mids=" + online + "&mids=" + offline, second)
                .jsonPath("$.code")
                .isEqualTo(0);

        // one record per comet server, as goim; seqs index for index with keys (docs/recovery.md)
        assertThat(value(withBody(first, 1).getFirst()).getSeqsList()).containsExactly(1);
        PushMsg later = value(withBody(second, 1).getFirst());
        assertThat(later.getKeysList()).containsExactly(key);
        assertThat(later.getSeqsList()).containsExactly(2);

        // the offline mid's inbox filled all the same
        http.get()
                .uri("/goim/history/mid?mid=" + offline + "&since=0")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0)
                .jsonPath("$.data.offset")
                .isEqualTo(2)
                .jsonPath("$.data.recovered")
                .isEqualTo(true)
                .jsonPath("$.data.messages[0].offset")
                .isEqualTo(1)
                .jsonPath("$.data.messages[0].op")
                .isEqualTo(1000)
                .jsonPath("$.data.messages[1].op")
                .isEqualTo(1001)
                .jsonPath("$.data.messages[1].body")
                .isEqualTo(java.util.Base64.getEncoder().encodeToString(second.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pushRoomIsKeyedByTheRoomId() {
        String room = "it-" + UUID.randomUUID();
        String body = "room " + UUID.randomUUID();

        post("/goim/push/room?operation=1002&type=live&room=" + room, body)
                .jsonPath("$.code")
                .isEqualTo(0);

        ConsumerRecord<String, byte[]> sent = withBody(body, 1).getFirst();
        assertThat(sent.key()).isEqualTo("live://" + room);
        assertThat(value(sent).getType()).isEqualTo(PushMsg.Type.ROOM);
        assertThat(value(sent).getRoom()).isEqualTo("live://" + room);
        assertThat(value(sent).getOperation()).isEqualTo(1002);
    }

    @Test
    void pushAllIsKeyedByTheOperation() {
        String body = "all " + UUID.randomUUID();

        post("/goim/push/all?operation=1003&speed=500", body).jsonPath("$.code").isEqualTo(0);

        ConsumerRecord<String, byte[]> sent = withBody(body, 1).getFirst();
        assertThat(sent.key()).isEqualTo("1003");
        assertThat(value(sent).getType()).isEqualTo(PushMsg.Type.BROADCAST);
        assertThat(value(sent).getSpeed()).isEqualTo(500);
        assertThat(value(sent).getMsg().toString(StandardCharsets.UTF_8)).isEqualTo(body);
    }

    @Test
    void pushToNobodyOnlineSendsNothingAndAnswersOk() {
        String body = "nobody " + UUID.randomUUID();

        post("/goim/push/keys?operation=1000&keys=gone-" + UUID.randomUUID(), body)
                .jsonPath("$.code")
                .isEqualTo(0);
        post("/goim/push/mids?operation=1000&mids=" + System.nanoTime(), body)
                .jsonPath("$.code")
                .isEqualTo(0);

        // a later push on the same partitions arrives, the ones to nobody never do
        pushAllIsKeyedByTheOperation();
        assertThat(records.seen(r -> value(r).getMsg().toStringUtf8().equals(body)))
                .isEmpty();
    }

    @Test
    void hostileRequestsAnswerMinus400AndPublishNothing() {
        String body = "hostile " + UUID.randomUUID();
        StringBuilder mids = new StringBuilder("1");
        for (int mid = 2; mid <= 1_001; mid++) {
            mids.append(',').append(mid);
        }

        post("/goim/push/mids?operation=1000&mids=" + mids, body)
                .json("{\"code\":-400,\"message\":\"too many mids: 1001 > goim.logic.limits.max-targets=1000\"}", true);
        http.post()
                .uri(java.net.URI.create(
                        "http://127.0.0.1:" + port + "/goim/push/room?operation=1000&type=live&room=a%0D%0Ab"))
                .bodyValue(body)
                .exchange()
                .expectBody()
                .json("{\"code\":-400,\"message\":\"room: control character at index 1\"}", true);
        post("/goim/push/room?operation=x&type=live&room=1", body)
                .jsonPath("$.code")
                .isEqualTo(-400);
        post("/goim/push/all", body).jsonPath("$.code").isEqualTo(-400);

        // a later push on the same topic arrives, the refused ones never do
        pushAllIsKeyedByTheOperation();
        assertThat(records.seen(r -> value(r).getMsg().toStringUtf8().equals(body)))
                .isEmpty();
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() {
        String body = "x".repeat(64 * 1024 + 1);

        post("/goim/push/all?operation=1004", body)
                .json(
                        "{\"code\":-400,\"message\":\"message too large: more than"
                                + " goim.logic.limits.max-body=65536 bytes\"}",
                        true);
        assertThat(records.seen(r -> value(r).getOperation() == 1004)).isEmpty();
    }

    @Test
    void pushMetricsShowOnPrometheus() {
        pushRoomIsKeyedByTheRoomId();
        post("/goim/push/keys?operation=1000&keys=gone-" + UUID.randomUUID(), "m")
                .jsonPath("$.code")
                .isEqualTo(0);

        http.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(text -> assertThat(text)
                        .contains("goim_push_total{result=\"ok\",type=\"room\"}")
                        .contains("goim_push_body_bytes_count{type=\"room\"}")
                        .contains("goim_kafka_send_seconds_count{result=\"ok\",topic=\"goim-push-topic\"}")
                        .contains("goim_redis_seconds_count{op=\"servers_by_keys\",result=\"ok\"}"));
    }

    @Test
    void thePushRouteIsTimedLikeWhatWebFluxServes() {
        pushRoomIsKeyedByTheRoomId();
        http.get()
                .uri("/goim/online/total")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();

        String text = http.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        List<String> series = text.lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{"))
                .toList();
        // the push comes through PushRoute (Reactor Netty), the query through WebFlux: one metric,
        // the same labels, so the dashboards and Prometheus take both
        assertThat(series)
                .anyMatch(line -> line.contains("uri=\"/goim/push/room\"")
                        && line.contains("method=\"POST\"")
                        && line.contains("status=\"200\"")
                        && line.contains("outcome=\"SUCCESS\""))
                .anyMatch(line -> line.contains("uri=\"/goim/online/total\""));
        assertThat(series.stream().map(PushApiIT::labelNames).distinct()).hasSize(1);
    }

    private static List<String> labelNames(String line) {
        return java.util.regex.Pattern.compile("([a-z_]+)=\"")
                .matcher(line)
                .results()
                .map(m -> m.group(1))
                .sorted()
                .toList();
    }

    @Test
    void swaggerDocumentsEveryEndpoint() {
        http.get()
                .uri("/v3/api-docs")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(doc -> assertThat(doc)
                        .contains(
                                "/goim/push/keys",
                                "/goim/push/mids",
                                "/goim/push/room",
                                "/goim/push/all",
                                "/goim/online/top",
                                "/goim/online/room",
                                "/goim/online/total",
                                "/goim/nodes/weighted",
                                "/goim/nodes/instances",
                                "application/octet-stream",
                                "-400",
                                "max-targets",
                                "\"operation\""));
        http.get()
                .uri("/swagger-ui.html")
                .exchange()
                .expectStatus()
                .is3xxRedirection()
                .expectBody()
                .returnResult();
    }
}
