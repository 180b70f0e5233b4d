package io.goim.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.goim.proto.frame.Op;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.WebSocketClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * goim's container path on a real Docker engine (needs one; skipped where none answers): the
 * images built by docker/build-images.sh, the root docker-compose.yml up with Testcontainers
 * (Grafana left out, see {@link ComposeStack}), a goim WebSocket client and the push API
 * through the ports published on 127.0.0.1, Prometheus in the stack, a comet's drain on docker
 * stop, and nothing left once the stack is down.
 */
@DisplayName("goim in Docker (needs a Docker engine)")
@EnabledIf(
        value = "dockerAnswers",
        disabledReason = "needs a Docker engine, and none answers (DOCKER_HOST, else /var/run/docker.sock);"
                + " .ci/run starts one with .ci/docker-engine.sh")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerComposeStackIT {
    private static final Logger log = LoggerFactory.getLogger(DockerComposeStackIT.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> GOIM_JOBS = List.of("goim-eureka", "goim-logic", "goim-job", "goim-comet");

    private static ComposeStack stack;
    private static String cometServer;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<WebSocketClient> clients = new ArrayList<>();

    static boolean dockerAnswers() {
        boolean answers = DockerClientFactory.instance().isDockerAvailable();
        if (!answers) {
            log.warn(
                    "SKIPPED goim in Docker: needs a Docker engine, and none answers (DOCKER_HOST={})",
                    System.getenv("DOCKER_HOST"));
        }
        return answers;
    }

    @BeforeAll
    static void bringTheStackUp() throws Exception {
        stack = ComposeStack.up(
                Path.of(System.getProperty("goim.root")),
                Path.of(System.getProperty("goim.docker.logs")),
                System.getProperty("goim.version"),
                System.getProperty("goim.kafka.version"));
        // comet's server id is its host name (contract section 7): the container's
        cometServer = stack.docker()
                .inspectContainerCmd(stack.containerId("comet"))
                .exec()
                .getConfig()
                .getHostName();
        // ready for pushes once job reaches the comet (through Eureka)
        await("job lists the comet")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> get("JOB_HTTP_PORT", "/actuator/health").contains(cometServer));
    }

    @AfterAll
    static void takeTheStackDown() {
        if (stack == null) {
            return;
        }
        stack.close();
        assertThat(stack.containersStarted()).as("containers of the stack").isEqualTo(ComposeStack.SERVICES.size());
        assertThat(stack.leftBehind()).as("what docker-compose down left").isEmpty();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WebSocketClient::close);
    }

    @Test
    @Order(1)
    void aGoimClientAuthenticatesBeatsAndReceivesAMidsAndARoomPush() throws Exception {
        long mid = ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_000_000_000L);
        String room = "docker-" + UUID.randomUUID();
        WebSocketClient client = connect();

        Received auth = client.auth(WebSocketClient.token(mid, "", "live://" + room, "1000"));
        assertThat(auth.op()).isEqualTo(Op.AUTH_REPLY);
        assertThat(auth.seq()).isEqualTo(client.lastSeq());

        for (int i = 0; i < 2; i++) {
            Received heartbeat = client.heartbeat();
            assertThat(heartbeat.op()).isEqualTo(Op.HEARTBEAT_REPLY);
            assertThat(heartbeat.seq()).isEqualTo(client.lastSeq());
            assertThat(ByteBuffer.wrap(heartbeat.body()).getInt())
                    .as("online count of the client's room")
                    .isEqualTo(1);
        }

        assertThat(push("/goim/push/mids?operation=1000&mids=" + mid, "to a mid"))
                .contains("\"code\":0");
        assertDelivered(client.next(), 1000, "to a mid");

        assertThat(push("/goim/push/room?operation=1005&type=live&room=" + room, "to a room"))
                .contains("\"code\":0");
        assertDelivered(client.next(), 1005, "to a room");
    }

    @Test
    @Order(2)
    void prometheusInTheStackHasEveryGoimServiceUp() {
        String query = "/api/v1/query?query=" + URLEncoder.encode("up{job=~\"goim-.*\"}", StandardCharsets.UTF_8);
        await("every goim target up in Prometheus")
                .atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    String answer = get("PROMETHEUS_PORT", query);
                    assertThat(answer).contains("\"status\":\"success\"");
                    for (String job : GOIM_JOBS) {
                        assertThat(answer)
                                .as("target %s up in %s", job, answer)
                                .containsPattern("\"job\":\"" + job + "\"[^}]*\\},\"value\":\\[[0-9.]+,\"1\"\\]");
                    }
                    assertThat(answer).doesNotContain(",\"0\"]");
                });
        // and a goim metric came through the scrape, not only the target's health
        await().atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> get("PROMETHEUS_PORT", "/api/v1/query?query=goim_comet_channels"),
                        answer -> answer.contains("\"job\":\"goim-comet\""));
    }

    @Test
    @Order(3)
    void aStoppedCometDrainsItsClientsAndJobStopsCallingIt() throws Exception {
        String room = "docker-drain-" + UUID.randomUUID();
        WebSocketClient client = connect();
        assertThat(client.auth(WebSocketClient.token(42L, "", "live://" + room, "1000"))
                        .op())
                .isEqualTo(Op.AUTH_REPLY);

        String comet = stack.containerId("comet");
        // docker stop's grace period: the container's stop timeout (docker-compose.yml: stop_grace_period)
        int grace = Integer.parseInt(docker("inspect", "--format", "{{.Config.StopTimeout}}", comet));
        assertThat(grace)
                .as("comet's grace period, above its drain time (10 s)")
                .isGreaterThan(10);

        long stopped = System.nanoTime();
        CompletableFuture<String> stop = CompletableFuture.supplyAsync(() -> docker("stop", comet));
        assertThat(client.closeCode().get(grace, TimeUnit.SECONDS))
                .as("WebSocket close code: draining, reconnect elsewhere")
                .isEqualTo(4009);
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(grace));
        assertThat(stop.get(grace + 15L, TimeUnit.SECONDS)).isEqualTo(comet);
        InspectContainerResponse.ContainerState after =
                stack.docker().inspectContainerCmd(comet).exec().getState();
        assertThat(after.getRunning()).isFalse();
        assertThat(after.getExitCodeLong())
                .as("comet exited by itself within the grace period (137 would be docker's SIGKILL)")
                .isNotEqualTo(137L);

        await("job drops the drained comet")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> !get("JOB_HTTP_PORT", "/actuator/health").contains(cometServer));
        double consumed = metric("goim_job_records_consumed_total", "");
        double calls = metric("goim_job_comet_calls_seconds_count{", "server=\"" + cometServer + "\"");
        assertThat(calls).as("job called the comet before").isPositive();

        assertThat(push("/goim/push/room?operation=1000&type=live&room=" + room, "after the drain"))
                .contains("\"code\":0");
        await("job consumes the push")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> metric("goim_job_records_consumed_total", ""), n -> n > consumed);
        // a room push goes to every comet job knows: the drained one is no longer among them
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10))
                .until(() -> metric("goim_job_comet_calls_seconds_count{", "server=\"" + cometServer + "\"") == calls);
    }

    /** Runs the docker CLI (on the engine of DOCKER_HOST, as Testcontainers does) and returns its output. */
    private static String docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(process.waitFor(90, TimeUnit.SECONDS))
                    .as("%s finished", command)
                    .isTrue();
            assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
            return output;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(command + " failed", e);
        }
    }

    private WebSocketClient connect() {
        WebSocketClient client =
                WebSocketClient.connect(URI.create("ws://127.0.0.1:" + stack.port("COMET_WS_PORT") + "/sub"), null);
        clients.add(client);
        return client;
    }

    private static void assertDelivered(Received frame, int operation, String body) {
        assertThat(frame.op()).as("pushes reach a WebSocket client as op 9").isEqualTo(Op.RAW);
        List<Received> inner = frame.inner();
        assertThat(inner).hasSize(1);
        assertThat(inner.getFirst().op()).isEqualTo(operation);
        assertThat(inner.getFirst().text()).isEqualTo(body);
    }

    private String push(String pathAndQuery, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port("LOGIC_HTTP_PORT") + pathAndQuery))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sum of job's Prometheus samples whose line starts with {@code prefix} and holds {@code label}. */
    private static double metric(String prefix, String label) {
        return get("JOB_HTTP_PORT", "/actuator/prometheus")
                .lines()
                .filter(line -> line.startsWith(prefix) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String get(String portVariable, String path) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port(portVariable) + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "";
        }
    }
}
