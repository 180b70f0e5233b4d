package io.goim.logic.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goim.logic.TestRedis;
import io.goim.testeureka.TestEurekaServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * online/* and nodes/* against a real Eureka registry in which two comets with different weights
 * and loads (and one offline comet) are registered through Eureka's REST API, as comets register,
 * with their room counts in a real Redis (contract sections 3, 4 and 7).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "spring.kafka.admin.auto-create=false",
            "goim.logic.warmup.pushes=0",
            // the test classpath has the registry's Jersey; logic's client uses its own transport
            "eureka.client.jersey.enabled=false",
            "eureka.client.registry-fetch-interval-seconds=1",
            "eureka.client.initial-instance-info-replication-interval-seconds=1",
            "goim.logic.online.refresh=300ms",
            "goim.logic.node.ip-provinces[0].cidr=198.51.100.0/24",
            "goim.logic.node.ip-provinces[0].province=江苏"
        })
@AutoConfigureWebTestClient
@DirtiesContext
class NodesIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String A = "comet-a-" + RUN;
    private static final String B = "comet-b-" + RUN;
    private static final String OFF = "comet-off-" + RUN;
    private static ConfigurableApplicationContext eureka;

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    WebTestClient http;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    CometDirectory directory;

    @Autowired
    DiscoveryClient discovery;

    /**
     * Started by whichever comes first: the comets' registration or logic's context. It is not
     * stopped by this class: logic's context (cached by the test framework) closes later and its
     * Eureka client deregisters then; Spring Boot's shutdown hook stops the registry when the test
     * JVM exits.
     */
    private static synchronized String eurekaUrl() {
        if (eureka == null) {
            eureka = TestEurekaServer.start();
        }
        return TestEurekaServer.url(eureka);
    }

    @DynamicPropertySource
    static void registry(DynamicPropertyRegistry registry) {
        registry.add("eureka.client.service-url.defaultZone", NodesIT::eurekaUrl);
        registry.add("spring.data.redis.port", TestRedis::port);
    }

    @BeforeAll
    static void registerComets() throws Exception {
        register(A, Map.of("weight", "10", "conn_count", "20", "ip_count", "12", "addrs", "203.0.113.1:3101"));
        register(
                B,
                Map.of("weight", "2", "conn_count", "5", "ip_count", "4", "addrs", "203.0.113.2:3101", "region", "sh"));
        register(OFF, Map.of("weight", "100", "conn_count", "1000", "ip_count", "900", "offline", "true"));
    }

    @AfterAll
    static void deleteOnlineEntries(@Autowired StringRedisTemplate redis) {
        redis.delete(List.of("ol_" + A, "ol_" + B, "ol_" + OFF));
    }

    private static void register(String server, Map<String, String> metadata) throws Exception {
        Map<String, String> all = new HashMap<>(metadata);
        all.put("server.id", server);
        all.put("grpc.port", "3109");
        StringBuilder meta = new StringBuilder();
        all.forEach((k, v) -> meta.append(meta.isEmpty() ? "" : ",")
                .append('"')
                .append(k)
                .append("\":\"")
                .append(v)
                .append('"'));
        String instance = """
                {"instance": {"instanceId": "%s", "hostName": "127.0.0.1", "app": "GOIM-COMET", "ipAddr": "127.0.0.1",
                 "vipAddress": "goim-comet", "secureVipAddress": "goim-comet", "status": "UP",
                 "port": {"$": 3109, "@enabled": "true"}, "securePort": {"$": 443, "@enabled": "false"},
                 "dataCenterInfo": {"@class": "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo", "name": "MyOwn"},
                 "leaseInfo": {"renewalIntervalInSecs": 30, "durationInSecs": 300},
                 "metadata": {%s}}}""".formatted(server, meta);
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(eurekaUrl() + "apps/GOIM-COMET"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(instance))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    }

    private JsonNode get(String uri) {
        return get(uri, "127.0.0.1");
    }

    private JsonNode get(String uri, String clientIp) {
        byte[] body = http.get()
                .uri(uri)
                .header("X-Forwarded-For", clientIp)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        JsonNode reply = json.readTree(body);
        assertThat(reply.get("code").asInt()).as(reply.toString()).isZero();
        return reply.get("data");
    }

    private void awaitBothComets() {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(get("/goim/nodes/instances").findValuesAsString("hostname"))
                        .containsExactlyInAnyOrder(A, B));
    }

    private void online(String server, int field, long updated, String rooms) {
        redis.opsForHash()
                .put(
                        "ol_" + server,
                        Integer.toString(field),
                        "{\"server\":\"" + server + "\",\"room_count\":{" + rooms + "},\"updated\":" + updated + "}");
    }

    /** Pushes to a comet that left Eureka are skipped by logic (PushService); one draining is not left. */
    @Test
    void aCometThatLeavesEurekaIsDepartedAndADrainingOneIsNot() throws Exception {
        String gone = "comet-gone-" + RUN;
        // offline, so that the other tests' views of the listed comets do not change meanwhile
        register(gone, Map.of("offline", "true"));
        await().atMost(Duration.ofSeconds(30)).until(() -> listed(gone));
        directory.refresh();
        assertThat(directory.departed(gone)).isFalse();

        HttpResponse<String> removed = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(eurekaUrl() + "apps/GOIM-COMET/" + gone))
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !listed(gone));
        directory.refresh();

        assertThat(directory.departed(gone)).isTrue();
        assertThat(directory.departed(OFF)).as("draining: still listed").isFalse();
        assertThat(directory.departed(A)).isFalse();
    }

    private boolean listed(String server) {
        return discovery.getInstances("goim-comet").stream()
                .anyMatch(instance -> server.equals(instance.getMetadata().get("server.id")));
    }

    @Test
    void instancesListTheCometsThatAreNotOfflineWithTheirMetadata() {
        awaitBothComets();

        JsonNode instances = get("/goim/nodes/instances");
        JsonNode a = instances.get(instances.get(0).get("hostname").asString().equals(A) ? 0 : 1);
        assertThat(a.get("metadata").get("weight").asString()).isEqualTo("10");
        assertThat(a.get("metadata").get("conn_count").asString()).isEqualTo("20");
        assertThat(a.get("addrs").get(0).asString()).isEqualTo("203.0.113.1:3101");
    }

    @Test
    void totalSumsTheCometsMetadata() {
        awaitBothComets();

        assertThat(get("/goim/online/total")).isEqualTo(json.readTree("{\"conn_count\":25,\"ip_count\":16}"));
    }

    @Test
    void roomCountsComeFromTheCometsOnlineEntriesSkippingStaleOnes() {
        long now = Instant.now().getEpochSecond();
        online(A, 1, now, "\"live://1\":10,\"live://2\":3");
        online(A, 2, now - 600, "\"live://3\":99");
        online(B, 1, now - 10, "\"live://1\":5,\"chat://1\":7");
        online(OFF, 1, now, "\"live://2\":1000");
        awaitBothComets();

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(get("/goim/online/room?type=live&rooms=1,2&rooms=3"))
                        .isEqualTo(json.readTree("{\"1\":15,\"2\":3,\"3\":0}")));
        assertThat(get("/goim/online/top?type=live&limit=1"))
                .isEqualTo(json.readTree("[{\"room_id\":\"1\",\"count\":15}]"));
        assertThat(get("/goim/online/top?type=chat&limit=5"))
                .isEqualTo(json.readTree("[{\"room_id\":\"1\",\"count\":7}]"));
    }

    @Test
    void weightedPrefersWeightThenLoadThenTheClientsRegion() {
        awaitBothComets();

        // A: 20 connections on weight 10; B: 5 on weight 2. A is less loaded per unit of weight.
        JsonNode web = get("/goim/nodes/weighted?platform=web");
        assertThat(web.get("nodes").get(0).asString()).isEqualTo(A + ".goim.io");
        assertThat(web.get("heartbeat").asInt()).isEqualTo(240);
        assertThat(web.get("heartbeat_max").asInt()).isEqualTo(2);
        assertThat(web.get("backoff").get("max_delay").asInt()).isEqualTo(300);
        assertThat(web.get("tcp_port").asInt()).isEqualTo(3101);

        // a client from 江苏 (region sh) gets B, whose weight counts 1.6 times there
        JsonNode fromSh = get("/goim/nodes/weighted?platform=android", "198.51.100.9");
        assertThat(fromSh.get("nodes").get(0).asString()).isEqualTo("203.0.113.2:3101");
        assertThat(fromSh.get("nodes")).hasSize(2);

        // A takes the next clients until its load passes B's, (35+1)/10 > (6+1)/2, then B gets one
        int firstA = 0;
        int firstB = 0;
        for (int i = 0; i < 20; i++) {
            String first =
                    get("/goim/nodes/weighted?platform=ios").get("nodes").get(0).asString();
            if (first.equals("203.0.113.1:3101")) {
                firstA++;
            } else {
                firstB++;
            }
        }
        assertThat(firstA).isEqualTo(19);
        assertThat(firstB).isEqualTo(1);
    }
}
