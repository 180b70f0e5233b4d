package io.goim.comet.it;

import static io.goim.proto.testclient.GoimClient.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.goim.comet.CometApplication;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.Op;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.WebSocketClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A connect storm that logic cannot answer within the handshake timeout if all of it is accepted
 * at once: with the accept gate, the clients wait parked in comet (and, beyond max-parked, in the
 * kernel's accept queue) instead, and every one of them gets in; without it, the late ones are
 * closed with 4001.
 */
class AcceptGateIT {
    private static final int CLIENTS = 10;

    private FakeLogic logic;
    private ConfigurableApplicationContext comet;
    private final ConcurrentLinkedQueue<WebSocketClient> clients = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void startLogic() {
        logic = FakeLogic.start();
        // one Connect at a time, 400 ms each: ten take 4 s, twice the handshake timeout
        logic.connectDelayMillis = 400;
    }

    private int startComet(int maxPending, int maxParked) {
        comet = new SpringApplicationBuilder(CometApplication.class)
                .run(
                        "--server.port=0",
                        "--spring.grpc.server.port=0",
                        "--eureka.client.enabled=false",
                        "--goim.comet.server-id=comet-gate",
                        "--goim.comet.websocket.port=0",
                        "--goim.comet.tcp.enabled=false",
                        "--goim.comet.protocol.handshake-timeout=2s",
                        "--goim.comet.logic.max-in-flight=1",
                        "--goim.comet.accept.max-pending=" + maxPending,
                        "--goim.comet.accept.max-parked=" + maxParked,
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].uri=http://127.0.0.1:"
                                + logic.port(),
                        "--spring.cloud.discovery.client.simple.instances.goim-logic[0].metadata[grpc.port]="
                                + logic.port());
        return comet.getBean(Listeners.class).ports().get(Transport.WEBSOCKET);
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(WebSocketClient::close);
        if (comet != null) {
            comet.close();
        }
        logic.close();
    }

    /** Each client connects and sends op 7 on its own thread, 30 ms after the one before. */
    private List<Integer> storm(int wsPort) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<CompletableFuture<Integer>> outcomes = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String token = token(600 + i, "", "", "1000");
                // started 30 ms after the one before, on a pool thread of its own
                outcomes.add(CompletableFuture.supplyAsync(
                        () -> {
                            WebSocketClient client = WebSocketClient.connect(wsPort);
                            clients.add(client);
                            try {
                                Received reply = client.auth(token);
                                return reply.op() == Op.AUTH_REPLY ? 0 : -reply.op();
                            } catch (InterruptedException | AssertionError e) {
                                // no op 8 within 10 s: the close code says why
                                return client.closeCode().getNow(-1);
                            }
                        },
                        CompletableFuture.delayedExecutor(30L * i, TimeUnit.MILLISECONDS, pool)));
            }
            List<Integer> results = new ArrayList<>();
            for (CompletableFuture<Integer> outcome : outcomes) {
                results.add(outcome.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withTheGateEveryClientOfTheStormGetsInParkedInComet() throws Exception {
        assertThat(everyClientGetsIn(0))
                .as("parking without bound never stops accepting")
                .isZero();
    }

    @Test
    void beyondMaxParkedTheClientsWaitInTheKernelAndStillGetIn() throws Exception {
        assertThat(everyClientGetsIn(3))
                .as("accepting stopped once 3 were parked")
                .isPositive();
    }

    /** A storm against a comet that lets one connection at a time through to auth: the pauses. */
    private double everyClientGetsIn(int maxParked) throws Exception {
        int wsPort = startComet(1, maxParked);

        List<Integer> results = storm(wsPort);

        assertThat(results).as("0: op 8; else the close code").containsOnly(0);
        assertThat(logic.connects).hasSize(CLIENTS);
        return pauses();
    }

    private double pauses() {
        return comet.getBean(MeterRegistry.class)
                .get("goim.comet.accept.pauses")
                .counter()
                .count();
    }

    @Test
    void withoutTheGateTheLateClientsAreClosedByTheHandshakeTimeout() throws Exception {
        int wsPort = startComet(0, 0);

        List<Integer> results = storm(wsPort);

        assertThat(results).contains(0).contains(4001);
    }
}
