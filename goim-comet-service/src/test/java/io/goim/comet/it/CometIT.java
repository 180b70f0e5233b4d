package io.goim.comet.it;

import static io.goim.proto.testclient.GoimClient.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.goim.comet.session.Buckets;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import io.goim.proto.comet.BroadcastReq;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.CometGrpc;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.comet.RoomsReq;
import io.goim.proto.frame.FrameBatch;
import io.goim.proto.frame.Op;
import io.goim.proto.protocol.Proto;
import io.goim.proto.testclient.GoimClient;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.TcpClient;
import io.goim.proto.testclient.WebSocketClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * comet over real sockets (WebSocket, TCP, WebSocket over TLS with a certificate made here) and real
 * gRPC, against a real gRPC server playing logic.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "eureka.client.enabled=false",
            "goim.comet.server-id=comet-it",
            "goim.comet.websocket.port=0",
            "goim.comet.tcp.port=0",
            "goim.comet.wss.enabled=true",
            "goim.comet.wss.port=0",
            "spring.grpc.server.port=0",
            "goim.comet.protocol.handshake-timeout=1s",
            "goim.comet.protocol.renew-online=300ms",
            "goim.comet.outbound.max-frames=8",
            "goim.comet.outbound.max-bytes=64KB",
            "goim.comet.outbound.slow-consumer-timeout=1s"
        })
class CometIT {
    private static final FakeLogic logic = FakeLogic.start();
    private static SelfSignedCertificate certificate;
    private static ManagedChannel grpc;

    @Autowired
    Listeners listeners;

    @Autowired
    GrpcServerLifecycle grpcServer;

    @Autowired
    Buckets buckets;

    @LocalServerPort
    int httpPort;

    private final List<GoimClient> clients = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        certificate = new SelfSignedCertificate("localhost");
        registry.add(
                "spring.cloud.discovery.client.simple.instances.goim-logic[0].uri",
                () -> "http://127.0.0.1:" + logic.port());
        registry.add("spring.cloud.discovery.client.simple.instances.goim-logic[0].metadata[grpc.port]", logic::port);
        registry.add(
                "goim.comet.wss.certificate", () -> certificate.certificate().getPath());
        registry.add(
                "goim.comet.wss.private-key", () -> certificate.privateKey().getPath());
    }

    @BeforeAll
    static void trustLocalhost() {
        // the JDK client checks the host name; the test certificate names localhost
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    @AfterAll
    static void stop() throws Exception {
        if (grpc != null) {
            grpc.shutdownNow();
        }
        logic.close();
        certificate.delete();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(GoimClient::close);
    }

    @Test
    void webSocketAuthHeartbeatAndRoomCount() throws Exception {
        String room = room();
        WebSocketClient first = ws();
        WebSocketClient second = ws();

        Received auth = first.auth(token(1, "", room, "1000"));
        assertThat(auth.op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(auth.seq()).isEqualTo(first.lastSeq());
        assertThat(second.auth(token(2, "", room, "1000")).op()).isEqualTo(Op.AUTH_REPLY);

        Received heartbeat = first.heartbeat();
        assertThat(heartbeat.op()).isEqualTo(Op.HEARTBEAT_REPLY);
        assertThat(heartbeat.seq()).isEqualTo(first.lastSeq());
        // this comet's count (2) until logic's RenewOnline answers, then ten times what it was sent:
        // 10 when a renewal fell between the two auths (the next test waits for the settled 20)
        assertThat(heartbeat.count()).isIn(2, 10, 20);
        assertThat(logic.connects).anySatisfy(req -> assertThat(req.getServer()).isEqualTo("comet-it"));
    }

    @Test
    void heartbeatRepliesTheClusterCountFromRenewOnline() throws Exception {
        String room = room();
        WebSocketClient client = ws();
        client.auth(token(1, "", room, "1000"));
        ws().auth(token(2, "", room, "1000"));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> logic.onlines.stream()
                        .anyMatch(req -> req.getServer().equals("comet-it")
                                && req.getRoomCountMap().getOrDefault(room, 0) == 2));
        // FakeLogic answers ten times the count it was sent
        await().atMost(Duration.ofSeconds(5)).until(() -> client.heartbeat().count() == 20);
    }

    @Test
    void renewOnlineSayingTheSessionsAreMissingMakesCometWriteEachAgain() throws Exception {
        String key = "rewrite-" + UUID.randomUUID();
        assertThat(ws().auth(token(7, key, "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(logic.heartbeats).noneMatch(req -> req.getKey().equals(key));

        logic.rewriteSessions = true;
        try {
            // Redis lost the sessions: a Heartbeat for each connection makes logic write it again
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> logic.heartbeats.stream()
                            .anyMatch(req -> req.getKey().equals(key)
                                    && req.getMid() == 7
                                    && req.getServer().equals("comet-it")));
        } finally {
            logic.rewriteSessions = false;
        }
    }

    @Test
    void tcpClientsGetInnerFramesWithoutTheOp9Envelope() throws Exception {
        String key = "tcp-" + UUID.randomUUID();
        TcpClient client = tcp();
        assertThat(client.auth(token(5, key, "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(client.heartbeat().op()).isEqualTo(Op.HEARTBEAT_REPLY);

        comet().pushMsg(push(List.of(key), 1000, "to tcp"));

        Received inner = client.next();
        assertThat(inner.op()).isEqualTo(1000);
        assertThat(inner.text()).isEqualTo("to tcp");
    }

    @Test
    void webSocketOverTlsAuthenticatesAndReceivesPushes() throws Exception {
        String key = "wss-" + UUID.randomUUID();
        WebSocketClient client = track(WebSocketClient.connect(
                URI.create("wss://localhost:" + port(Transport.WEBSOCKET_TLS) + "/sub"), trusting()));
        assertThat(client.auth(token(6, key, "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(client.heartbeat().op()).isEqualTo(Op.HEARTBEAT_REPLY);

        comet().pushMsg(push(List.of(key), 1000, "to wss"));

        assertPush(client.next(), 1000, "to wss");
    }

    @Test
    void pushMsgHonoursAcceptsAndSubUnsubChangeThem() throws Exception {
        String key = "sub-" + UUID.randomUUID();
        WebSocketClient client = ws();
        client.auth(token(7, key, "", "1000"));

        comet().pushMsg(push(List.of(key), 2000, "not accepted"));
        client.send(Op.SUB, "2000,2001");
        assertThat(client.next().op()).isEqualTo(Op.SUB_REPLY);
        comet().pushMsg(push(List.of(key), 2000, "accepted now"));
        assertPush(client.next(), 2000, "accepted now");

        client.send(Op.UNSUB, "2000");
        assertThat(client.next().op()).isEqualTo(Op.UNSUB_REPLY);
        comet().pushMsg(push(List.of(key), 2000, "refused again"));
        comet().pushMsg(push(List.of(key), 2001, "still accepted"));
        assertPush(client.next(), 2001, "still accepted");
    }

    @Test
    void changeRoomMovesTheClientBetweenRoomBroadcasts() throws Exception {
        String from = room();
        String to = room();
        WebSocketClient client = ws();
        client.auth(token(8, "", from, "1000"));

        client.send(Op.CHANGE_ROOM, to);
        assertThat(client.next().op()).isEqualTo(Op.CHANGE_ROOM_REPLY);
        comet().broadcastRoom(room(from, 1001, "old room"));
        comet().broadcastRoom(room(to, 1002, "new room"));

        // room pushes ignore accepts (goim): 1002 is not in the token's accepts
        assertPush(client.next(), 1002, "new room");
        assertThat(comet().rooms(RoomsReq.getDefaultInstance()).getRoomsMap())
                .containsKey(to)
                .doesNotContainKey(from);
    }

    @Test
    void otherOpsGoToLogicsReceiveAndAreEchoed() throws Exception {
        String key = "up-" + UUID.randomUUID();
        WebSocketClient client = ws();
        client.auth(token(9, key, "", "1000"));

        client.send(1234, "hello logic");

        Received echo = client.next();
        assertThat(echo.op()).isEqualTo(1234);
        assertThat(echo.seq()).isEqualTo(client.lastSeq());
        assertThat(echo.body()).isEmpty();
        await().until(() -> logic.receives.stream()
                .anyMatch(req -> req.getMid() == 9
                        && req.getProto().getBody().toStringUtf8().equals("hello logic")));
    }

    @Test
    void aNewerConnectionWithTheSameKeyReplacesTheOlderAndStaysReachable() throws Exception {
        String key = "same-" + UUID.randomUUID();
        WebSocketClient older = ws();
        older.auth(token(10, key, "", "1000"));
        WebSocketClient newer = ws();
        newer.auth(token(10, key, "", "1000"));

        assertThat(older.closeCode().get()).isEqualTo(4005);
        comet().pushMsg(push(List.of(key), 1000, "to the newer"));

        assertPush(newer.next(), 1000, "to the newer");
        // the older connection's close must not remove the newer one's session in logic
        assertThat(logic.disconnects).noneMatch(req -> req.getKey().equals(key));
        newer.close();
        await().until(() ->
                logic.disconnects.stream().anyMatch(req -> req.getKey().equals(key)));
    }

    @Test
    void handshakeTimeoutClosesASilentConnection() throws Exception {
        WebSocketClient client = ws();

        assertThat(client.closeCode().get()).isEqualTo(4001);
    }

    @Test
    void heartbeatTimeoutClosesAnAuthenticatedConnection() throws Exception {
        WebSocketClient client = ws();
        client.auth(token(11, "short-hb-" + UUID.randomUUID(), "", "1000"));

        assertThat(client.closeCode().get()).isEqualTo(4003);
    }

    @Test
    void authRefusedByLogicCloses() throws Exception {
        WebSocketClient client = ws();
        client.send(Op.AUTH, token(-1, "", "", ""));

        assertThat(client.closeCode().get()).isEqualTo(4002);
    }

    @Test
    void badFramesCloseTheConnection() throws Exception {
        WebSocketClient client = ws();
        client.auth(token(12, "", "", "1000"));
        client.sendText("not a frame");
        assertThat(client.closeCode().get()).isEqualTo(4010);

        TcpClient tcp = tcp();
        tcp.sendRaw(new byte[] {0, 0, 0, 16, 0, 20, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1});
        await().atMost(Duration.ofSeconds(5)).until(tcp::isClosed);
    }

    @Test
    void aSlowConsumerHasPushesDroppedAndIsClosed() throws Exception {
        String key = "slow-" + UUID.randomUUID();
        TcpClient slow = track(TcpClient.connect(port(Transport.TCP), false));
        slow.send(Op.AUTH, token(13, key, "", "1000"));
        await().until(() -> buckets.channel(key) != null);
        double droppedBefore = metric("goim_comet_drops_total");

        // far more than the kernel's socket buffers and the 64 KB outbound limit hold
        byte[] big = new byte[32 * 1024];
        for (int i = 0; i < 512; i++) {
            comet().pushMsg(push(List.of(key), 1000, big));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> metric("goim_comet_drops_total") > droppedBefore);
        await().atMost(Duration.ofSeconds(10)).until(() -> buckets.channel(key) == null);
        assertThat(metric("goim_comet_closes_total{reason=\"slow-consumer\"}")).isPositive();
    }

    @Test
    void broadcastReachesEveryAcceptingChannelAtTheGivenSpeed() throws Exception {
        // four channels in four different buckets: with speed 2 comet pauses about 0.5 s after each
        List<String> keys = keysInDistinctBuckets(4);
        List<WebSocketClient> receivers = new ArrayList<>();
        for (String key : keys) {
            WebSocketClient client = ws();
            client.auth(token(14, key, "", "3000"));
            receivers.add(client);
        }
        WebSocketClient refusing = ws();
        refusing.auth(token(15, "", "", "1000"));

        long start = System.nanoTime();
        comet().broadcast(BroadcastReq.newBuilder()
                .setProtoOp(3000)
                .setSpeed(2)
                .setProto(proto(3000, "to all"))
                .build());
        List<Long> arrivals = new ArrayList<>();
        for (WebSocketClient client : receivers) {
            Received frame = client.next();
            assertPush(frame, 3000, "to all");
            arrivals.add(frame.nanos() - start);
        }

        long spread = arrivals.stream().mapToLong(Long::longValue).max().orElseThrow()
                - arrivals.stream().mapToLong(Long::longValue).min().orElseThrow();
        assertThat(Duration.ofNanos(spread)).isGreaterThan(Duration.ofMillis(900));
        assertThat(refusing.pending()).isZero();
    }

    @Test
    void metricsAppearOnPrometheus() throws Exception {
        String room = room();
        WebSocketClient client = ws();
        client.auth(token(16, "", room, "1000"));
        client.heartbeat();
        comet().rooms(RoomsReq.getDefaultInstance());
        comet().broadcastRoom(room(room, 1000, "measured"));
        client.next();

        String prometheus = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();

        assertThat(prometheus)
                .contains("goim_comet_connections{transport=\"ws\"}")
                .contains("goim_comet_auth_total{result=\"ok\"}")
                .contains("goim_comet_frames_in_total{transport=\"ws\"}")
                .contains("goim_comet_frames_out_total{transport=\"ws\"}")
                .contains("goim_comet_bytes_out_total{transport=\"ws\"}")
                .contains("goim_comet_closes_total{reason=\"slow-consumer\"}")
                .contains("goim_comet_heartbeat_timeouts_total")
                .contains("goim_comet_rooms")
                .contains("goim_comet_channels")
                .contains("goim_comet_fanout_seconds_count{kind=\"room\"}")
                .contains("grpc_server_seconds_count{")
                .contains("method=\"Rooms\"");
    }

    private List<String> keysInDistinctBuckets(int count) {
        List<String> keys = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        while (keys.size() < count) {
            String key = "bc-" + UUID.randomUUID();
            if (seen.add(buckets.bucket(key))) {
                keys.add(key);
            }
        }
        return keys;
    }

    private double metric(String series) throws Exception {
        String prometheus = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(series)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static void assertPush(Received frame, int op, String body) {
        assertThat(frame.op()).isEqualTo(Op.RAW);
        assertThat(frame.inner()).singleElement().satisfies(inner -> {
            assertThat(inner.op()).isEqualTo(op);
            assertThat(inner.text()).isEqualTo(body);
        });
    }

    private WebSocketClient ws() {
        return track(WebSocketClient.connect(port(Transport.WEBSOCKET)));
    }

    private TcpClient tcp() {
        return track(TcpClient.connect(port(Transport.TCP)));
    }

    private <T extends GoimClient> T track(T client) {
        clients.add(client);
        return client;
    }

    private int port(Transport transport) {
        return listeners.ports().get(transport);
    }

    private CometGrpc.CometBlockingStub comet() {
        if (grpc == null) {
            grpc = ManagedChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort())
                    .usePlaintext()
                    .build();
        }
        return CometGrpc.newBlockingStub(grpc);
    }

    private static PushMsgReq push(List<String> keys, int op, String body) {
        return push(keys, op, body.getBytes(StandardCharsets.UTF_8));
    }

    private static PushMsgReq push(List<String> keys, int op, byte[] body) {
        return PushMsgReq.newBuilder()
                .addAllKeys(keys)
                .setProtoOp(op)
                .setProto(Proto.newBuilder()
                        .setVer(1)
                        .setOp(Op.RAW)
                        .setBody(ByteString.copyFrom(FrameBatch.of(op, body))))
                .build();
    }

    private static BroadcastRoomReq room(String room, int op, String body) {
        return BroadcastRoomReq.newBuilder()
                .setRoomID(room)
                .setProto(proto(op, body))
                .build();
    }

    private static Proto proto(int op, String body) {
        return Proto.newBuilder()
                .setVer(1)
                .setOp(Op.RAW)
                .setBody(ByteString.copyFrom(FrameBatch.of(op, body.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    private static String room() {
        return "live://it-" + ThreadLocalRandom.current().nextInt(1_000_000);
    }

    private static SSLContext trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("comet", certificate.cert());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, factory.getTrustManagers(), null);
        return ssl;
    }
}
