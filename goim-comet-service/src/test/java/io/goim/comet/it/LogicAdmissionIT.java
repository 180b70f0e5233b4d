package io.goim.comet.it;

import static io.goim.proto.testclient.GoimClient.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goim.comet.CometApplication;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.Op;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.WebSocketClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A connect storm against a slow logic: comet keeps at most {@code max-in-flight} Connect calls at
 * logic and queues the rest, and every client still gets in.
 */
class LogicAdmissionIT {
    private static final int MAX_IN_FLIGHT = 3;
    private static final int CLIENTS = 24;

    private static FakeLogic logic;
    private static ConfigurableApplicationContext comet;
    private static int wsPort;

    @BeforeAll
    static void start() {
        logic = FakeLogic.start();
        logic.connectDelayMillis = 150;
        comet = new SpringApplicationBuilder(CometApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.grpc.server.port=0",
                        "--eureka.client.enabled=false",
                        "--goim.comet.server-id=comet-admission",
                        "--goim.comet.websocket.port=0",
                        "--goim.comet.tcp.enabled=false",
                        "--goim.comet.logic.max-in-flight=" + MAX_IN_FLIGHT,
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].uri=http://127.0.0.1:"
                                + logic.port(),
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].metadata[grpc.port]="
                                + logic.port());
        wsPort = comet.getBean(Listeners.class).ports().get(Transport.WEBSOCKET);
    }

    @AfterAll
    static void stop() throws Exception {
        comet.close();
        logic.close();
    }

    @Test
    void aStormOfConnectsReachesLogicAFewAtATimeAndEveryClientGetsIn() throws Exception {
        List<WebSocketClient> clients = new ArrayList<>();
        int connectsBefore = logic.connects.size();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<CompletableFuture<Received>> replies = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                WebSocketClient client = WebSocketClient.connect(wsPort);
                clients.add(client);
                String token = token(500 + i, "", "", "1000");
                replies.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return client.auth(token);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }

            for (CompletableFuture<Received> reply : replies) {
                assertThat(reply.get(20, TimeUnit.SECONDS).op()).isEqualTo(Op.AUTH_REPLY);
            }
            assertThat(logic.connects).hasSize(connectsBefore + CLIENTS);
            // the queue was used, and logic never saw more than the limit at once
            assertThat(logic.connectsAtOnce.get()).isEqualTo(MAX_IN_FLIGHT);
        } finally {
            pool.shutdownNow();
            clients.forEach(WebSocketClient::close);
        }
    }

    @Test
    void aClientThatLeavesWhileItsConnectWaitsCostsLogicNothing() throws Exception {
        int connectsBefore = logic.connects.size();
        List<WebSocketClient> staying = new ArrayList<>();
        List<WebSocketClient> leaving = new ArrayList<>();
        logic.connectDelayMillis = 1_000;
        try {
            // the stayers take every place at logic for a second; the leavers queue behind them
            for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                WebSocketClient client = WebSocketClient.connect(wsPort);
                staying.add(client);
                client.send(Op.AUTH, token(700 + i, "", "", "1000"));
            }
            // the stayers hold logic's places before the leavers come (each client has its own loop)
            await().atMost(Duration.ofSeconds(5)).until(() -> logic.connects.size() - connectsBefore == MAX_IN_FLIGHT);
            for (int i = 0; i < 6; i++) {
                WebSocketClient client = WebSocketClient.connect(wsPort);
                leaving.add(client);
                client.send(Op.AUTH, token(800 + i, "", "", "1000"));
            }
            Gauge waiting = comet.getBean(MeterRegistry.class)
                    .get("goim.comet.logic.waiting")
                    .gauge();
            // the leavers' calls wait their turn
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> waiting.value() == leaving.size());
            leaving.forEach(WebSocketClient::close);

            for (WebSocketClient client : staying) {
                assertThat(client.next().op()).isEqualTo(Op.AUTH_REPLY);
            }
            // one more client after the leavers: its call goes through once theirs were skipped
            WebSocketClient last = WebSocketClient.connect(wsPort);
            staying.add(last);
            assertThat(last.auth(token(900, "", "", "1000")).op()).isEqualTo(Op.AUTH_REPLY);

            assertThat(logic.connects.subList(connectsBefore, logic.connects.size()))
                    .as("only the clients that stayed reached logic")
                    .hasSize(MAX_IN_FLIGHT + 1);
        } finally {
            logic.connectDelayMillis = 150;
            staying.forEach(WebSocketClient::close);
        }
    }
}
