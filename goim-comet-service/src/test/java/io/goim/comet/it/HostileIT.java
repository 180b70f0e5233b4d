package io.goim.comet.it;

import static io.goim.proto.testclient.GoimClient.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.goim.comet.CometApplication;
import io.goim.comet.session.Buckets;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.CometGrpc;
import io.goim.proto.frame.FrameBatch;
import io.goim.proto.frame.Frames;
import io.goim.proto.frame.Op;
import io.goim.proto.protocol.Proto;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.TcpClient;
import io.goim.proto.testclient.WebSocketClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Attacks on a running comet over real sockets on 127.0.0.0/8 (issue 14, docs/security.md). For
 * each: the offender is closed with its documented reason and close code, the metric for that reason
 * counts it, and a bystander in a room on the same comet, connected throughout, still gets its
 * heartbeat replies and a room push afterwards. The last test checks that the heap is back to its
 * level from before the attacks. comet runs with its default limits, except that the per-IP limit is
 * 64 and applies to loopback clients too (the attackers are on 127.0.x.y).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileIT {
    private static final String ROOM = "live://hostile";
    private static final int PER_IP = 64;
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(10);

    private static FakeLogic logic;
    private static ConfigurableApplicationContext comet;
    private static int wsPort;
    private static int tcpPort;
    private static MeterRegistry registry;
    private static Connections connections;
    private static Buckets buckets;
    private static ManagedChannel grpc;
    private static WebSocketClient bystander;
    private static long heapBefore;
    private static int pushes;

    private final List<AutoCloseable> offenders = new ArrayList<>();

    @BeforeAll
    static void start() {
        logic = FakeLogic.start();
        comet = new SpringApplicationBuilder(CometApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.grpc.server.port=0",
                        "--eureka.client.enabled=false",
                        "--goim.comet.server-id=comet-hostile",
                        "--goim.comet.websocket.port=0",
                        "--goim.comet.tcp.port=0",
                        "--goim.comet.protocol.handshake-timeout=1s",
                        "--goim.comet.outbound.slow-consumer-timeout=1s",
                        "--goim.comet.limits.max-connections-per-ip=" + PER_IP,
                        "--goim.comet.limits.exempt-loopback=false",
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].uri=http://127.0.0.1:"
                                + logic.port(),
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].metadata[grpc.port]="
                                + logic.port());
        wsPort = comet.getBean(Listeners.class).ports().get(Transport.WEBSOCKET);
        tcpPort = comet.getBean(Listeners.class).ports().get(Transport.TCP);
        registry = comet.getBean(MeterRegistry.class);
        connections = comet.getBean(Connections.class);
        buckets = comet.getBean(Buckets.class);
        grpc = ManagedChannelBuilder.forAddress(
                        "127.0.0.1", comet.getBean(GrpcServerLifecycle.class).getPort())
                .usePlaintext()
                .build();
        bystander = WebSocketClient.connect(wsPort);
        try {
            assertThat(bystander.auth(token(1, "bystander", ROOM, "1000")).op()).isEqualTo(Op.AUTH_REPLY);
            bystanderIsServed();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        heapBefore = heapAfterGc();
    }

    @AfterAll
    static void stop() throws Exception {
        bystander.close();
        grpc.shutdownNow();
        comet.close();
        logic.close();
    }

    @AfterEach
    void closeOffenders() throws Exception {
        for (AutoCloseable offender : offenders) {
            offender.close();
        }
        bystanderIsServed();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"packLen-negative", "packLen-below-16", "packLen-above-limit", "headerLen-not-16"})
    @Order(1)
    void badHeadersOverTcpAreClosedAsBadFrames(String attack) throws Exception {
        double before = closes("bad-frame");
        Socket socket = tcp("127.0.0.1");

        socket.getOutputStream().write(badHeader(attack));

        assertThat(closedWithin(socket)).isTrue();
        awaitCount("bad-frame", before + 1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"packLen-negative", "packLen-below-16", "packLen-above-limit", "headerLen-not-16"})
    @Order(2)
    void badHeadersOverWebSocketAreClosedWith4004(String attack) throws Exception {
        double before = closes("bad-frame");
        RawWebSocket ws = ws("127.0.0.1");

        ws.send(true, 0x2, badHeader(attack));

        assertThat(ws.closeCode(CLOSED_WITHIN)).isEqualTo(4004);
        awaitCount("bad-frame", before + 1);
    }

    @Test
    @Order(3)
    void aTruncatedFrameThenSilenceIsClosedByTheHandshakeTimeout() throws Exception {
        double before = closes("handshake-timeout");
        Socket socket = tcp("127.0.0.1");
        RawWebSocket ws = ws("127.0.0.1");

        socket.getOutputStream().write(Frames.encode(1, Op.AUTH, 1, new byte[100]), 0, 40);
        ws.sendRaw(java.util.Arrays.copyOf(RawWebSocket.goim(Op.AUTH, new byte[100], 1), 40));

        assertThat(closedWithin(socket)).isTrue();
        assertThat(ws.closeCode(CLOSED_WITHIN)).isEqualTo(4001);
        awaitCount("handshake-timeout", before + 2);
    }

    @Test
    @Order(4)
    void aSixteenMegabyteMessageIsRefusedByItsHeader() throws Exception {
        double before = closes("bad-frame");
        RawWebSocket ws = ws("127.0.0.1");

        ws.sendHeader(16L * 1024 * 1024);
        try {
            ws.sendRaw(new byte[64 * 1024]);
        } catch (IOException closedAlready) {
            // comet closed on the header
        }

        // Netty's WebSocket decoder closes with 1009 (message too big) before comet's 4004
        assertThat(ws.closeCode(CLOSED_WITHIN)).isEqualTo(1009);
        awaitCount("bad-frame", before + 1);
    }

    @Test
    @Order(5)
    void endlessContinuationFragmentsAreClosedAtTheFrameLimit() throws Exception {
        double before = closes("bad-frame");
        RawWebSocket ws = ws("127.0.0.1");

        int sent = 0;
        try {
            ws.send(false, 0x2, new byte[100]);
            for (; sent < 1_000; sent++) {
                ws.send(false, 0x0, new byte[100]);
            }
        } catch (IOException closed) {
            // closed while fragments were still coming
        }

        assertThat(ws.closeCode(CLOSED_WITHIN)).isEqualTo(4004);
        awaitCount("bad-frame", before + 1);
    }

    @Test
    @Order(6)
    void aTextFrameIsClosedWith4010() throws Exception {
        double before = closes("unsupported-message");
        RawWebSocket ws = ws("127.0.0.1");

        ws.send(true, 0x1, "{\"mid\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(ws.closeCode(CLOSED_WITHIN)).isEqualTo(4010);
        awaitCount("unsupported-message", before + 1);
    }

    @Test
    @Order(7)
    void slowlorisAuthOneBytePerSecondIsClosedByTheHandshakeTimeout() throws Exception {
        double before = closes("handshake-timeout");
        Socket socket = tcp("127.0.0.1");
        RawWebSocket ws = ws("127.0.0.1");
        byte[] tcpAuth = Frames.encode(1, Op.AUTH, 1, token(2, "", ROOM, "1000").getBytes(StandardCharsets.UTF_8));
        byte[] wsAuth = RawWebSocket.goim(Op.AUTH, token(3, "", ROOM, "1000").getBytes(StandardCharsets.UTF_8), 1);

        int sent = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        try {
            for (; sent < tcpAuth.length && System.nanoTime() < deadline; sent++) {
                socket.getOutputStream().write(tcpAuth[sent]);
                ws.sendRaw(new byte[] {wsAuth[sent]});
                Thread.sleep(1000); // the attack's pace, one byte a second
            }
        } catch (IOException closed) {
            // comet closed both on the handshake timeout
        }

        assertThat(sent).as("bytes sent before the close").isLessThan(8);
        assertThat(closedWithin(socket)).isTrue();
        assertThat(ws.closeCode(CLOSED_WITHIN)).isEqualTo(4001);
        awaitCount("handshake-timeout", before + 2);
    }

    @Test
    @Order(8)
    void fiveThousandConnectionsThatNeverAuthAreAllClosed() throws Exception {
        double before = closes("handshake-timeout");
        int baseline = connections.size();
        List<SocketChannel> silent = new ArrayList<>();
        try {
            // from 100 addresses, 50 each: under the per-IP limit, as a botnet would
            for (int i = 0; i < 5_000; i++) {
                SocketChannel channel = SocketChannel.open();
                silent.add(channel);
                channel.bind(new InetSocketAddress("127.0.1." + (1 + i % 100), 0));
                channel.configureBlocking(false);
                channel.connect(new InetSocketAddress("127.0.0.1", tcpPort));
            }
            bystanderIsServed();

            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> closes("handshake-timeout") >= before + 5_000);
            await().atMost(Duration.ofSeconds(30)).until(() -> connections.size() <= baseline);
        } finally {
            for (SocketChannel channel : silent) {
                channel.close();
            }
        }
    }

    @Test
    @Order(9)
    void aClientThatNeverReadsIsDroppedAsASlowConsumerAndTheRoomIsUnaffected() throws Exception {
        double before = closes("slow-consumer");
        String key = "never-reads-" + UUID.randomUUID();
        TcpClient slow = TcpClient.connect(tcpPort, false);
        offenders.add(slow);
        slow.send(Op.AUTH, token(4, key, ROOM, "1000"));
        await().until(() -> buckets.channel(key) != null);

        // 16 KB room pushes, each awaited by the bystander: more than the kernel's buffers hold
        byte[] body = new byte[16 * 1024];
        int sent = 0;
        for (; sent < 1_000 && buckets.channel(key) != null; sent++) {
            String text = "room-push-" + sent;
            System.arraycopy(text.getBytes(StandardCharsets.UTF_8), 0, body, 0, text.length());
            pushToRoom(body);
            Received push = nextPush();
            assertThat(new String(push.inner().getFirst().body(), 0, text.length(), StandardCharsets.UTF_8))
                    .isEqualTo(text);
        }

        await().atMost(CLOSED_WITHIN).until(() -> buckets.channel(key) == null);
        awaitCount("slow-consumer", before + 1);
        assertThat(sent).as("room pushes until the slow consumer was dropped").isLessThan(1_000);
    }

    @Test
    @Order(10)
    void aHeartbeatFloodIsClosedByTheFrameRateLimit() throws Exception {
        double before = closes("frame-rate");
        TcpClient flooder = TcpClient.connect(tcpPort);
        offenders.add(flooder);
        assertThat(flooder.auth(token(5, "", "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);

        flood(flooder::sendRaw, seq -> Frames.encode(1, Op.HEARTBEAT, seq, new byte[0]));

        await().atMost(CLOSED_WITHIN).until(flooder::isClosed);
        awaitCount("frame-rate", before + 1);
    }

    @Test
    @Order(11)
    void anUpstreamFloodIsClosedWith4008AndMostOfItNeverReachesLogic() throws Exception {
        double before = closes("frame-rate");
        int receivesBefore = logic.receives.size();
        RawWebSocket ws = ws("127.0.0.1");
        assertThat(ws.auth(token(6, "", "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);

        flood(ws::sendRaw, seq -> RawWebSocket.goim(1000, "up".getBytes(StandardCharsets.UTF_8), seq));

        // comet sends 4008 and closes; the flood still in its receive buffer makes the kernel answer
        // with a reset, which can overtake the close frame: the flooder sees 4008 or just the end
        assertThat(ws.closeCode(CLOSED_WITHIN)).isIn(4008, -1);
        awaitCount("frame-rate", before + 1);
        // the default limit is 50 frames a second; the flood was 10,000
        assertThat(logic.receives.size() - receivesBefore).isLessThanOrEqualTo(100);
    }

    @Test
    @Order(12)
    void aConnectionFloodFromOneAddressIsCutAtThePerIpLimit() throws Exception {
        double before = closes("ip-limit");
        List<RawWebSocket> within = new ArrayList<>();
        for (int i = 0; i < PER_IP; i++) {
            RawWebSocket ws = ws("127.0.2.1");
            assertThat(ws.auth(token(100 + i, "", "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
            within.add(ws);
        }

        List<Socket> over = new ArrayList<>();
        for (int i = 0; i < 36; i++) {
            over.add(tcp("127.0.2.1"));
        }
        RawWebSocket overWs = ws("127.0.2.1");

        assertThat(overWs.closeCode(CLOSED_WITHIN)).isEqualTo(4007);
        for (Socket socket : over) {
            assertThat(closedWithin(socket)).isTrue();
        }
        awaitCount("ip-limit", before + 37);
        assertThat(closes("ip-limit")).isEqualTo(before + 37);
        // those within the limit, and another address, are served
        RawWebSocket first = within.getFirst();
        first.sendRaw(RawWebSocket.goim(Op.HEARTBEAT, new byte[0], first.nextSeq()));
        assertThat(first.nextFrame().op()).isEqualTo(Op.HEARTBEAT_REPLY);
        RawWebSocket other = ws("127.0.2.2");
        assertThat(other.auth(token(7, "", "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
    }

    @Test
    @Order(13)
    void badTokensAreRefusedWith4002AndAHugeOneNeverReachesLogic() throws Exception {
        double before = closes("auth-failed");
        RawWebSocket malformed = ws("127.0.0.1");
        malformed.sendRaw(RawWebSocket.goim(Op.AUTH, "{\"mid\":".getBytes(StandardCharsets.UTF_8), 1));
        assertThat(malformed.closeCode(CLOSED_WITHIN)).isEqualTo(4002);
        awaitCount("auth-failed", before + 1);

        int connectsBefore = logic.connects.size();
        double badFrames = closes("bad-frame");
        byte[] huge = ("{\"mid\":8,\"key\":\"" + "k".repeat(64 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        Socket tcp = tcp("127.0.0.1");
        try {
            tcp.getOutputStream().write(Frames.encode(1, Op.AUTH, 1, huge));
        } catch (IOException closedAlready) {
            // closed on the header
        }
        assertThat(closedWithin(tcp)).isTrue();
        awaitCount("bad-frame", badFrames + 1);
        assertThat(logic.connects.size()).isEqualTo(connectsBefore);
    }

    @Test
    @Order(100)
    void theHeapIsBackToItsLevelAfterTheAttacks() {
        await().atMost(Duration.ofSeconds(30)).until(() -> connections.size() <= 1);
        // the comet, its clients and the test share this heap; what the attacks left behind would show
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> heapAfterGc() < heapBefore + 48L * 1024 * 1024);
    }

    private interface Sender {
        void send(byte[] bytes) throws IOException;
    }

    private interface FrameAt {
        byte[] frame(int seq);
    }

    /** 10,000 frames in about a second, in ten writes, until the connection is closed. */
    private static void flood(Sender sender, FrameAt frame) throws InterruptedException {
        for (int burst = 0; burst < 10; burst++) {
            java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 1_000; i++) {
                frames.writeBytes(frame.frame(burst * 1_000 + i + 2));
            }
            try {
                sender.send(frames.toByteArray());
            } catch (IOException | java.io.UncheckedIOException closed) {
                return;
            }
            Thread.sleep(100); // the flood's pace: 10,000 frames a second
        }
    }

    private static byte[] badHeader(String attack) {
        String hex = switch (attack) {
            case "packLen-negative" -> "ffffff00" + "0010";
            case "packLen-below-16" -> "0000000a" + "0010";
            case "packLen-above-limit" -> "00001011" + "0010"; // 16 + 4097
            case "headerLen-not-16" -> "00000010" + "0014";
            default -> throw new IllegalArgumentException(attack);
        };
        return HexFormat.of().parseHex(hex + "0001" + "00000007" + "00000001");
    }

    private Socket tcp(String localIp) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localIp, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", tcpPort), 5000);
        offenders.add(socket);
        return socket;
    }

    private RawWebSocket ws(String localIp) {
        RawWebSocket ws = RawWebSocket.connect(localIp, wsPort);
        offenders.add(ws);
        return ws;
    }

    /** Whether comet closed the connection within 10 s (what it sent before is skipped). */
    private static boolean closedWithin(Socket socket) throws IOException {
        socket.setSoTimeout((int) CLOSED_WITHIN.toMillis());
        return readsToTheEnd(socket);
    }

    private static boolean readsToTheEnd(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] skip = new byte[4096];
            while (in.read(skip) >= 0) {
                // what comet wrote before it closed
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static double closes(String reason) {
        return registry.get("goim.comet.closes").tag("reason", reason).counter().count();
    }

    private static void awaitCount(String reason, double atLeast) {
        await().atMost(CLOSED_WITHIN).until(() -> closes(reason) >= atLeast);
    }

    /** The bystander gets its heartbeat reply and a room push, whatever the attack did. */
    private static void bystanderIsServed() throws InterruptedException {
        assertThat(bystander.isClosed()).as("bystander still connected").isFalse();
        bystander.send(Op.HEARTBEAT, new byte[0]);
        int seq = bystander.lastSeq();
        Received reply;
        do {
            reply = bystander.next();
        } while (!(reply.op() == Op.HEARTBEAT_REPLY && reply.seq() == seq));
        assertThat(reply.count()).isPositive();

        String text = "to the bystander " + ++pushes;
        pushToRoom(text.getBytes(StandardCharsets.UTF_8));
        Received push;
        do {
            push = nextPush();
        } while (!push.inner().getFirst().text().equals(text));
    }

    private static Received nextPush() throws InterruptedException {
        Received frame;
        do {
            frame = bystander.next();
        } while (frame.op() != Op.RAW);
        return frame;
    }

    private static void pushToRoom(byte[] body) {
        CometGrpc.newBlockingStub(grpc)
                .broadcastRoom(BroadcastRoomReq.newBuilder()
                        .setRoomID(ROOM)
                        .setProto(Proto.newBuilder()
                                .setVer(1)
                                .setOp(Op.RAW)
                                .setBody(ByteString.copyFrom(FrameBatch.of(1000, body))))
                        .build());
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
