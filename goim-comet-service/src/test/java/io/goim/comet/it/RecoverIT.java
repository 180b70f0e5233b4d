package io.goim.comet.it;

import static io.goim.proto.testclient.GoimClient.token;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.goim.comet.session.Buckets;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.CometGrpc;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.frame.FrameBatch;
import io.goim.proto.frame.Op;
import io.goim.proto.logic.RecoverReply;
import io.goim.proto.logic.RecoverReq;
import io.goim.proto.logic.StreamRecovery;
import io.goim.proto.protocol.Proto;
import io.goim.proto.testclient.GoimClient;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.TcpClient;
import io.goim.proto.testclient.WebSocketClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The recover op over real sockets and real gRPC (docs/recovery.md): live room pushes that race a
 * recover are held and sent after the missed ones with no gap and no duplicate; pushes by mids come
 * as op 20 with the user offset only to a connection that sent op 18; a bad op 18 closes with 4020,
 * and a recover logic cannot answer with 4021.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "eureka.client.enabled=false",
            "goim.comet.server-id=comet-recover-it",
            "goim.comet.websocket.port=0",
            "goim.comet.tcp.port=0",
            "spring.grpc.server.port=0",
            "goim.comet.protocol.renew-online=300ms"
        })
class RecoverIT {
    private static final FakeLogic logic = FakeLogic.start();
    private static final JsonMapper JSON = JsonMapper.shared();
    private static ManagedChannel grpc;

    @Autowired
    Listeners listeners;

    @Autowired
    GrpcServerLifecycle grpcServer;

    @Autowired
    Buckets buckets;

    private final List<GoimClient> clients = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add(
                "spring.cloud.discovery.client.simple.instances.goim-logic[0].uri",
                () -> "http://127.0.0.1:" + logic.port());
        registry.add("spring.cloud.discovery.client.simple.instances.goim-logic[0].metadata[grpc.port]", logic::port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (grpc != null) {
            grpc.shutdownNow();
        }
        logic.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(GoimClient::close);
        logic.recoverAnswer = request -> CompletableFuture.completedFuture(RecoverReply.getDefaultInstance());
    }

    @Test
    void livePushesThatRaceTheRecoverComeAfterTheMissedOnesWithoutGapOrDuplicate() throws Exception {
        for (Transport transport : List.of(Transport.WEBSOCKET, Transport.TCP)) {
            String room = "chat://recover-it-" + UUID.randomUUID();
            String key = "recover-" + UUID.randomUUID();
            CompletableFuture<RecoverReply> answer = new CompletableFuture<>();
            logic.recoverAnswer = request -> request.getKey().equals(key)
                    ? answer
                    : CompletableFuture.completedFuture(RecoverReply.getDefaultInstance());
            GoimClient client = transport == Transport.TCP ? tcp() : ws();
            // op 18 right after op 7, as docs/recovery.md asks: the client had offset 2 of epoch e1
            client.send(Op.AUTH, token(21, key, room, "1000"));
            client.send(Op.RECOVER, "{\"room\":{\"epoch\":\"e1\",\"offset\":2}}");
            assertThat(client.next().op()).isEqualTo(Op.AUTH_REPLY);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> buckets.roomCount(room) == 1
                            && logic.recovers.stream().anyMatch(r -> r.getKey().equals(key)));
            RecoverReq asked = logic.recovers.stream()
                    .filter(r -> r.getKey().equals(key))
                    .findFirst()
                    .orElseThrow();
            assertThat(asked.getRoom()).isEqualTo(room);
            assertThat(asked.getRoomEpoch()).isEqualTo("e1");
            assertThat(asked.getRoomOffset()).isEqualTo(2);

            // while logic reads Redis, job delivers 4..6 (4 and 5 were stored before the read) and 7
            comet().broadcastRoom(room(room, 4, 5, 6));
            comet().broadcastRoom(room(room, 7));
            // logic read the room at offset 5: the missed ones are 3..5
            answer.complete(RecoverReply.newBuilder()
                    .setRoom(StreamRecovery.newBuilder()
                            .setRecovered(true)
                            .setEpoch("e1")
                            .setOffset(5)
                            .setFrames(ByteString.copyFrom(frames(3, 4, 5)))
                            .setCount(3))
                    .build());

            Received reply = client.next();
            assertThat(reply.op()).isEqualTo(Op.RECOVER_REPLY);
            JsonNode json = JSON.readTree(reply.text());
            assertThat(json.path("room").path("id").asString()).isEqualTo(room);
            assertThat(json.path("room").path("recovered").asBoolean()).isTrue();
            assertThat(json.path("room").path("epoch").asString()).isEqualTo("e1");
            assertThat(json.path("room").path("offset").asLong()).isEqualTo(5);
            assertThat(json.has("user")).isFalse();

            comet().broadcastRoom(room(room, 8));
            List<Integer> seqs = new ArrayList<>();
            while (seqs.size() < 6) {
                seqs.addAll(roomSeqs(transport, client.next()));
            }
            assertThat(seqs).as(transport.tag()).containsExactly(3, 4, 5, 6, 7, 8);
            assertThat(client.pending()).isZero();
        }
    }

    @Test
    void pushesByMidsComeAsOp20WithTheUserOffsetOnlyAfterOp18() throws Exception {
        String recovering = "user-" + UUID.randomUUID();
        String plain = "plain-" + UUID.randomUUID();
        WebSocketClient withOp18 = ws();
        WebSocketClient without = ws();
        assertThat(withOp18.auth(token(31, recovering, "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(without.auth(token(32, plain, "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
        logic.recoverAnswer = request -> CompletableFuture.completedFuture(RecoverReply.newBuilder()
                .setUser(StreamRecovery.newBuilder().setEpoch("u1").setOffset(8))
                .build());
        withOp18.send(Op.RECOVER, "{\"user\":{}}");
        Received reply = withOp18.next();
        assertThat(reply.op()).isEqualTo(Op.RECOVER_REPLY);
        JsonNode user = JSON.readTree(reply.text()).path("user");
        assertThat(user.path("recovered").asBoolean()).isFalse();
        assertThat(user.path("epoch").asString()).isEqualTo("u1");
        assertThat(user.path("offset").asLong()).isEqualTo(8);

        comet().pushMsg(PushMsgReq.newBuilder()
                .addKeys(recovering)
                .addKeys(plain)
                .addSeqs(9)
                .addSeqs(4)
                .setProtoOp(1000)
                .setProto(raw(FrameBatch.of(1000, "to mids".getBytes(UTF_8))))
                .build());

        Received numbered = withOp18.next();
        assertThat(numbered.op()).isEqualTo(Op.USER_RAW);
        assertThat(numbered.inner()).singleElement().satisfies(inner -> {
            assertThat(inner.seq()).isEqualTo(9);
            assertThat(inner.op()).isEqualTo(1000);
            assertThat(inner.text()).isEqualTo("to mids");
        });
        // goim's clients see what goim sends: op 9, inner seq 0
        Received asToday = without.next();
        assertThat(asToday.op()).isEqualTo(Op.RAW);
        assertThat(asToday.inner()).singleElement().satisfies(inner -> {
            assertThat(inner.seq()).isZero();
            assertThat(inner.text()).isEqualTo("to mids");
        });
    }

    @Test
    void aBadRecoverClosesWith4020AndAFailedOneWith4021() throws Exception {
        WebSocketClient bad = ws();
        bad.auth(token(41, "", "", "1000"));
        bad.send(Op.RECOVER, "{\"room\":{\"offset\":\"x\"}}");
        assertThat(bad.closeCode().get(5, TimeUnit.SECONDS)).isEqualTo(4020);

        logic.recoverAnswer = request -> CompletableFuture.failedFuture(new IllegalStateException("redis down"));
        WebSocketClient failed = ws();
        failed.auth(token(42, "", "", "1000"));
        failed.send(Op.RECOVER, "{\"room\":{\"epoch\":\"e\",\"offset\":1}}");
        assertThat(failed.closeCode().get(5, TimeUnit.SECONDS)).isEqualTo(4021);
    }

    private static List<Integer> roomSeqs(Transport transport, Received frame) {
        List<Integer> seqs = new ArrayList<>();
        if (transport == Transport.TCP) {
            // TCP: the inner frames themselves (contract section 2)
            assertThat(frame.op()).isEqualTo(1000);
            seqs.add(frame.seq());
        } else {
            assertThat(frame.op()).isEqualTo(Op.RAW);
            frame.inner().forEach(inner -> seqs.add(inner.seq()));
        }
        return seqs;
    }

    private static byte[] frames(int... seqs) {
        FrameBatch batch = new FrameBatch();
        for (int seq : seqs) {
            batch.add(1000, seq, ("m" + seq).getBytes(UTF_8));
        }
        return batch.toByteArray();
    }

    private static BroadcastRoomReq room(String room, int... seqs) {
        return BroadcastRoomReq.newBuilder()
                .setRoomID(room)
                .setProto(raw(frames(seqs)))
                .build();
    }

    private static Proto raw(byte[] body) {
        return Proto.newBuilder()
                .setVer(1)
                .setOp(Op.RAW)
                .setBody(ByteString.copyFrom(body))
                .build();
    }

    private WebSocketClient ws() {
        return track(WebSocketClient.connect(listeners.ports().get(Transport.WEBSOCKET)));
    }

    private TcpClient tcp() {
        return track(TcpClient.connect(listeners.ports().get(Transport.TCP)));
    }

    private <T extends GoimClient> T track(T client) {
        clients.add(client);
        return client;
    }

    private CometGrpc.CometBlockingStub comet() {
        if (grpc == null) {
            grpc = ManagedChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort())
                    .usePlaintext()
                    .build();
        }
        return CometGrpc.newBlockingStub(grpc);
    }
}
