package io.goim.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.online.OnlineService;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReq;
import io.goim.proto.logic.HeartbeatReq;
import io.goim.proto.logic.LogicGrpc;
import io.goim.proto.logic.NodesReply;
import io.goim.proto.logic.NodesReq;
import io.goim.proto.logic.OnlineReq;
import io.goim.proto.logic.ReceiveReq;
import io.goim.proto.protocol.Proto;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The six gRPC methods comets call, over a real socket, against a real Redis and a real Kafka
 * broker (contract sections 2, 4 and 6). A simple-discovery comet stands in for Eureka.
 */
@SpringBootTest(
        properties = {
            "spring.grpc.server.port=0",
            "server.port=0",
            "eureka.client.enabled=false",
            "goim.logic.timeouts.kafka=10s",
            "goim.logic.warmup.pushes=0",
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].uri=http://127.0.0.1:3109",
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata.[server.id]=grpc-it-comet",
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata.addrs=203.0.113.7:3101",
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata.weight=10",
        })
@EmbeddedKafka(
        partitions = 4,
        topics = {"goim-push-topic", "goim-upstream-topic"},
        bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@DirtiesContext
class LogicGrpcIT {
    private static final String COMET = "grpc-it-comet";
    private static final Duration EXPIRE = Duration.ofMinutes(30);

    @Autowired
    GrpcServerLifecycle grpcServer;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    MeterRegistry meters;

    @Autowired
    OnlineService online;

    @Autowired
    CometDirectory comets;

    @Autowired
    EmbeddedKafkaBroker kafka;

    private final JsonMapper json = JsonMapper.builder().build();
    private final List<String> written = new ArrayList<>();
    private ManagedChannel channel;
    private LogicGrpc.LogicBlockingStub logic;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", TestRedis::port);
    }

    @BeforeEach
    void connectToLogic() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort())
                .usePlaintext()
                .build();
        logic = LogicGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        redis.delete(written);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private long newMid() {
        long mid = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000_000L) + 1;
        written.add("mid_" + mid);
        return mid;
    }

    private ConnectReply connect(String server, String token) {
        ConnectReply reply = logic.connect(ConnectReq.newBuilder()
                .setServer(server)
                .setCookie("")
                .setToken(ByteString.copyFromUtf8(token))
                .build());
        written.add("key_" + reply.getKey());
        return reply;
    }

    private static String token(long mid, String key) {
        return "{\"mid\":" + mid + ", \"key\":\"" + key + "\", \"room_id\":\"live://1000\", \"platform\":\"web\","
                + " \"accepts\":[1000,1001]}";
    }

    private void assertExpiresAsASession(String key) {
        assertThat(redis.getExpire(key, TimeUnit.SECONDS)).isBetween(EXPIRE.toSeconds() - 10, EXPIRE.toSeconds());
    }

    @Test
    void connectReadsGoimsTokenAndWritesBothMappings() {
        long mid = newMid();

        ConnectReply reply = connect(COMET, token(mid, ""));

        assertThat(reply.getMid()).isEqualTo(mid);
        assertThat(UUID.fromString(reply.getKey())).as("logic makes the key").isNotNull();
        assertThat(reply.getRoomID()).isEqualTo("live://1000");
        assertThat(reply.getAcceptsList()).containsExactly(1000, 1001);
        assertThat(reply.getHeartbeat())
                .as("4 min × 2, in ns")
                .isEqualTo(Duration.ofMinutes(8).toNanos());
        assertThat(redis.opsForValue().get("key_" + reply.getKey())).isEqualTo(COMET);
        assertThat(redis.<String, String>opsForHash().entries("mid_" + mid))
                .containsExactly(Map.entry(reply.getKey(), COMET));
        assertExpiresAsASession("key_" + reply.getKey());
        assertExpiresAsASession("mid_" + mid);
    }

    @Test
    void aBadTokenIsUnauthenticatedAndCounted() {
        double before =
                meters.counter("goim.auth.failures", "reason", "malformed").count();

        assertThatThrownBy(() -> connect(COMET, "not goim's token"))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(meters.counter("goim.auth.failures", "reason", "malformed").count())
                .isEqualTo(before + 1);
    }

    @Test
    void disconnectDeletesBothMappings() {
        long mid = newMid();
        String key = connect(COMET, token(mid, "")).getKey();

        boolean has = logic.disconnect(DisconnectReq.newBuilder()
                        .setMid(mid)
                        .setKey(key)
                        .setServer(COMET)
                        .build())
                .getHas();

        assertThat(has).isTrue();
        assertThat(redis.hasKey("key_" + key)).isFalse();
        assertThat(redis.hasKey("mid_" + mid)).isFalse();
    }

    @Test
    void anOlderConnectionsDisconnectKeepsTheNewerSession() {
        long mid = newMid();
        String key = "it-key-" + UUID.randomUUID();
        connect("old-comet", token(mid, key));
        connect("new-comet", token(mid, key));

        boolean has = logic.disconnect(DisconnectReq.newBuilder()
                        .setMid(mid)
                        .setKey(key)
                        .setServer("old-comet")
                        .build())
                .getHas();

        assertThat(has).isFalse();
        assertThat(redis.opsForValue().get("key_" + key)).isEqualTo("new-comet");
        assertThat(redis.opsForHash().get("mid_" + mid, key)).isEqualTo("new-comet");
        assertThat(meters.counter("goim.disconnects", "result", "kept").count()).isPositive();
    }

    @Test
    void heartbeatRenewsTheMappingsAndAddsThemBackWhenGone() {
        long mid = newMid();
        String key = connect(COMET, token(mid, "")).getKey();
        redis.expire("key_" + key, Duration.ofSeconds(30));
        redis.expire("mid_" + mid, Duration.ofSeconds(30));
        HeartbeatReq heartbeat = HeartbeatReq.newBuilder()
                .setMid(mid)
                .setKey(key)
                .setServer(COMET)
                .build();

        logic.heartbeat(heartbeat);
        assertExpiresAsASession("key_" + key);
        assertExpiresAsASession("mid_" + mid);

        redis.delete(List.of("key_" + key, "mid_" + mid));
        logic.heartbeat(heartbeat);
        assertThat(redis.opsForValue().get("key_" + key)).isEqualTo(COMET);
        assertThat(redis.opsForHash().get("mid_" + mid, key)).isEqualTo(COMET);
        assertExpiresAsASession("key_" + key);
    }

    @Test
    void renewOnlineWritesTheCometsRoomsAndAnswersTheClusterCounts() {
        String room = "live://it-" + UUID.randomUUID();
        written.add("ol_" + COMET);
        written.add("sv_" + COMET);
        redis.delete("sv_" + COMET);
        comets.refresh();

        // the first report finds no mark of the comet's sessions: the comet writes them again
        assertThat(logic.renewOnline(OnlineReq.newBuilder()
                                .setServer(COMET)
                                .putRoomCount(room, 3)
                                .build())
                        .getRewriteSessions())
                .isTrue();
        assertExpiresAsASession("sv_" + COMET);

        CRC32 crc = new CRC32();
        crc.update(room.getBytes(StandardCharsets.UTF_8));
        String field = Long.toString(crc.getValue() % 64);
        JsonNode entry = json.readTree((String) redis.opsForHash().get("ol_" + COMET, field));
        assertThat(entry.get("server").asString()).isEqualTo(COMET);
        assertThat(entry.get("room_count").get(room).asInt()).isEqualTo(3);
        assertThat(entry.get("updated").asLong())
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(5L));
        assertExpiresAsASession("ol_" + COMET);

        online.reload().block(Duration.ofSeconds(5));
        assertThat(logic.renewOnline(OnlineReq.newBuilder()
                                .setServer(COMET)
                                .putRoomCount(room, 4)
                                .build())
                        .getAllRoomCountMap())
                .containsEntry(room, 3);
        assertThat(logic.renewOnline(OnlineReq.newBuilder().setServer(COMET).build())
                        .getRewriteSessions())
                .as("the mark is there: nothing to write again")
                .isFalse();
        // Redis lost its data (a restart without persistence): the next report asks for them again
        redis.delete("sv_" + COMET);
        assertThat(logic.renewOnline(OnlineReq.newBuilder().setServer(COMET).build())
                        .getRewriteSessions())
                .isTrue();
    }

    @Test
    void receivePublishesTheUpstreamMessage() throws Exception {
        long mid = newMid();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("goim-key", Metadata.ASCII_STRING_MARSHALLER), "k-" + mid);
        headers.put(Metadata.Key.of("goim-server", Metadata.ASCII_STRING_MARSHALLER), COMET);

        logic.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .receive(ReceiveReq.newBuilder()
                        .setMid(mid)
                        .setProto(Proto.newBuilder()
                                .setVer(1)
                                .setOp(2000)
                                .setSeq(5)
                                .setBody(ByteString.copyFromUtf8("up")))
                        .build());

        try (TopicRecords upstream = new TopicRecords(kafka.getBrokersAsString(), "goim-upstream-topic")) {
            ConsumerRecord<String, byte[]> record =
                    upstream.await(1, r -> Long.toString(mid).equals(r.key())).getFirst();
            assertThat(json.readTree(record.value()))
                    .isEqualTo(json.readTree("{\"mid\":" + mid + ",\"key\":\"k-" + mid + "\",\"server\":\"" + COMET
                            + "\",\"op\":2000,\"seq\":5,\"ver\":1,\"body\":\"dXA=\"}"));
        }
    }

    @Test
    void nodesAnswersGoimsNodeConfigurationAndTheComets() {
        comets.refresh();

        NodesReply android = logic.nodes(NodesReq.newBuilder()
                .setPlatform("android")
                .setClientIP("10.0.0.1")
                .build());
        NodesReply web = logic.nodes(
                NodesReq.newBuilder().setPlatform("web").setClientIP("10.0.0.1").build());

        assertThat(android.getDomain()).isEqualTo("conn.goim.io");
        assertThat(List.of(android.getTcpPort(), android.getWsPort(), android.getWssPort()))
                .containsExactly(3101, 3102, 3103);
        assertThat(android.getHeartbeat()).isEqualTo(240);
        assertThat(android.getHeartbeatMax()).isEqualTo(2);
        assertThat(android.getBackoff().getMaxDelay()).isEqualTo(300);
        assertThat(android.getBackoff().getBaseDelay()).isEqualTo(3);
        assertThat(android.getBackoff().getFactor()).isEqualTo(1.8f);
        assertThat(android.getBackoff().getJitter()).isEqualTo(0.3f);
        assertThat(android.getNodesList()).containsExactly("203.0.113.7:3101");
        assertThat(web.getNodesList()).containsExactly(COMET + ".goim.io");
    }

    @Test
    void sessionMetricsShowInTheRegistry() {
        long mid = newMid();
        String key = connect(COMET, token(mid, "")).getKey();
        logic.disconnect(DisconnectReq.newBuilder()
                .setMid(mid)
                .setKey(key)
                .setServer(COMET)
                .build());

        assertThat(meters.counter("goim.connects", "result", "ok").count()).isPositive();
        assertThat(meters.counter("goim.disconnects", "result", "deleted").count())
                .isPositive();
        assertThat(meters.find("goim.redis").tag("op", "add_mapping").timer()).isNotNull();
    }
}
