package io.goim.comet.it;

import static io.goim.proto.testclient.GoimClient.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goim.comet.CometApplication;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.Op;
import io.goim.proto.testclient.WebSocketClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The per-IP and per-comet connection limits, then a graceful drain of a running comet on shutdown. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LimitsAndDrainIT {
    private static final int LIMIT = 5;

    private static FakeLogic logic;
    private static ConfigurableApplicationContext comet;
    private static int wsPort;
    private static final List<WebSocketClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        logic = FakeLogic.start();
        comet = new SpringApplicationBuilder(CometApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.grpc.server.port=0",
                        "--eureka.client.enabled=false",
                        "--goim.comet.server-id=comet-drain",
                        "--goim.comet.websocket.port=0",
                        "--goim.comet.tcp.enabled=false",
                        "--goim.comet.limits.max-connections-per-ip=" + LIMIT,
                        // the test's clients are on 127.0.0.1, which is exempt by default
                        "--goim.comet.limits.exempt-loopback=false",
                        "--goim.comet.limits.max-connections=" + (LIMIT + 1),
                        "--goim.comet.drain.time=2s",
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].uri=http://127.0.0.1:"
                                + logic.port(),
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].metadata[grpc.port]="
                                + logic.port());
        wsPort = comet.getBean(Listeners.class).ports().get(Transport.WEBSOCKET);
    }

    @AfterAll
    static void stop() throws Exception {
        clients.forEach(WebSocketClient::close);
        if (comet.isActive()) {
            comet.close();
        }
        logic.close();
    }

    @Test
    @Order(1)
    void connectionsOverThePerIpLimitAreClosedWithTheirReason() throws Exception {
        for (int i = 0; i < LIMIT; i++) {
            WebSocketClient client = WebSocketClient.connect(wsPort);
            clients.add(client);
            assertThat(client.auth(token(100 + i, "", "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
        }

        WebSocketClient over = WebSocketClient.connect(wsPort);

        assertThat(over.closeCode().get(5, TimeUnit.SECONDS)).isEqualTo(4007);
        assertThat(clients).noneMatch(WebSocketClient::isClosed);
        over.close();
    }

    @Test
    @Order(2)
    void connectionsOverTheCometsLimitAreClosedWith4013() throws Exception {
        Connections connections = comet.getBean(Connections.class);
        await().until(() -> connections.size() == LIMIT);
        double before = comet.getBean(MeterRegistry.class)
                .get("goim.comet.closes")
                .tag("reason", "connection-limit")
                .counter()
                .count();

        try (RawWebSocket last = RawWebSocket.connect("127.0.0.2", wsPort);
                RawWebSocket over = RawWebSocket.connect("127.0.0.3", wsPort)) {
            assertThat(last.auth(token(200, "", "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);
            assertThat(over.closeCode(Duration.ofSeconds(5))).isEqualTo(4013);
        }
        assertThat(comet.getBean(MeterRegistry.class)
                        .get("goim.comet.closes")
                        .tag("reason", "connection-limit")
                        .counter()
                        .count())
                .isEqualTo(before + 1);
        await().until(() -> connections.size() == LIMIT);
    }

    @Test
    @Order(3)
    void shutdownDrainsConnectionsSpreadOverTheDrainTime() throws Exception {
        await().until(() -> clients.stream().noneMatch(WebSocketClient::isClosed));
        List<Long> closedAt = new ArrayList<>();
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (WebSocketClient client : clients) {
            closes.add(client.closeCode().thenAccept(code -> {
                assertThat(code).isEqualTo(4009);
                synchronized (closedAt) {
                    closedAt.add(System.nanoTime());
                }
            }));
        }

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(comet::close);

        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        long spread = closedAt.stream().mapToLong(Long::longValue).max().orElseThrow()
                - closedAt.stream().mapToLong(Long::longValue).min().orElseThrow();
        // five connections over 2 s in 100 ms slices: one per slice
        assertThat(Duration.ofNanos(spread)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        shutdown.get(30, TimeUnit.SECONDS);
        assertThat(comet.isActive()).isFalse();
        assertThat(logic.disconnects).hasSizeGreaterThanOrEqualTo(LIMIT);
    }
}
