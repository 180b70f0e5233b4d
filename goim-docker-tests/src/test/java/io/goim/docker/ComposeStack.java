package io.goim.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.lifecycle.Startable;

/**
 * The root docker-compose.yml, brought up by Testcontainers from the images that
 * docker/build-images.sh (the project's own command) has just built, every host port a free one
 * on 127.0.0.1. Grafana is left out: it has no local stand-in (Debian has no package of it), and
 * nothing of goim depends on it.
 */
final class ComposeStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ComposeStack.class);
    static final List<String> SERVICES = List.of("kafka", "redis", "eureka", "logic", "job", "comet", "prometheus");
    private static final List<String> GOIM_SERVICES = List.of("eureka", "logic", "job", "comet");
    private static final List<String> PORT_VARIABLES = List.of(
            "KAFKA_PORT",
            "REDIS_PORT",
            "EUREKA_PORT",
            "LOGIC_HTTP_PORT",
            "LOGIC_GRPC_PORT",
            "JOB_HTTP_PORT",
            "COMET_TCP_PORT",
            "COMET_WS_PORT",
            "COMET_WSS_PORT",
            "COMET_HTTP_PORT",
            "COMET_GRPC_PORT",
            "PROMETHEUS_PORT",
            "GRAFANA_PORT");
    private static final Duration BUILD = Duration.ofMinutes(10);
    private static final Duration READY = Duration.ofMinutes(5);
    /**
     * logic's push warm-up is over (run-local.sh waits for the same line): until then it competes
     * with the clients' Connects for the two cores here, and a Connect can miss comet's deadline.
     */
    private static WaitStrategy warmedUp() {
        return Wait.forLogMessage(".*push warm-up (done|stopped|given up|broke).*\\n", 1)
                .withStartupTimeout(READY);
    }

    private final DockerClient docker;
    private final Path logs;
    private final String identifier;
    private final Map<String, Integer> ports;
    private final Startable compose;
    private final Function<String, Optional<ContainerState>> byService;
    private final List<String> containerIds = new ArrayList<>();

    private ComposeStack(
            DockerClient docker,
            Path logs,
            String identifier,
            Map<String, Integer> ports,
            Startable compose,
            Function<String, Optional<ContainerState>> byService) {
        this.docker = docker;
        this.logs = logs;
        this.identifier = identifier;
        this.ports = ports;
        this.compose = compose;
        this.byService = byService;
    }

    /** Builds the goim images, then starts the stack and waits until every service is healthy. */
    static ComposeStack up(Path root, Path logs, String version, String kafkaVersion) throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        Files.createDirectories(logs);
        Map<String, String> thirdParty = StackImages.thirdParty(docker, root);
        log.info("images other than goim's: {} (unset ones: docker-compose.yml's public defaults)", thirdParty);
        buildImages(root, logs, thirdParty.get("GOIM_BASE_IMAGE"));

        Map<String, String> env = new LinkedHashMap<>(thirdParty);
        env.remove("GOIM_BASE_IMAGE");
        env.putAll(StackImages.goim(version));
        Map<String, Integer> ports = freePorts();
        ports.forEach((variable, port) -> env.put(variable, String.valueOf(port)));
        // the push path's warm-up, smaller: the test's clients share the cores
        env.put("GOIM_WARMUP_PUSHES", "200");

        // a Compose project name of letters and digits: Compose v1 strips anything else
        String identifier = "goimdocker" + UUID.randomUUID().toString().substring(0, 8);
        List<File> files = List.of(
                root.resolve("docker-compose.yml").toFile(),
                new File(ComposeStack.class
                        .getResource("/docker-compose.test.yml")
                        .toURI()));
        Startable compose;
        Function<String, Optional<ContainerState>> byService;
        if (hasComposeV1()) {
            // Compose v1 (Debian's docker-compose 1.29): Testcontainers' DockerComposeContainer
            DockerComposeContainer<?> v1 = new DockerComposeContainer<>(identifier, files)
                    .withEnv(env)
                    .withPull(false)
                    .withServices(SERVICES.toArray(String[]::new))
                    .withStartupTimeout(READY);
            GOIM_SERVICES.forEach(s -> v1.waitingFor(s, Wait.forHealthcheck().withStartupTimeout(READY)));
            v1.waitingFor("prometheus", Wait.forHealthcheck().withStartupTimeout(READY));
            v1.waitingFor("logic", warmedUp());
            compose = v1;
            byService = v1::getContainerByServiceName;
        } else {
            // Compose v2 (the docker CLI's plugin): Testcontainers' ComposeContainer
            ComposeContainer v2 = new ComposeContainer(identifier, files)
                    .withEnv(env)
                    .withPull(false)
                    .withServices(SERVICES.toArray(String[]::new))
                    .withStartupTimeout(READY);
            GOIM_SERVICES.forEach(s -> v2.waitingFor(s, Wait.forHealthcheck().withStartupTimeout(READY)));
            v2.waitingFor("prometheus", Wait.forHealthcheck().withStartupTimeout(READY));
            v2.waitingFor("logic", warmedUp());
            compose = v2;
            byService = v2::getContainerByServiceName;
        }
        ComposeStack stack = new ComposeStack(docker, logs, identifier, ports, compose, byService);
        log.info(
                "starting the stack but Grafana (no stand-in for it: Debian has no package), project {}*,"
                        + " ports {}",
                identifier,
                ports);
        try {
            compose.start();
        } catch (RuntimeException e) {
            stack.saveLogs();
            compose.stop();
            throw e;
        }
        stack.containerIds.addAll(
                stack.projectContainers().stream().map(Container::getId).toList());
        return stack;
    }

    int port(String variable) {
        return ports.get(variable);
    }

    DockerClient docker() {
        return docker;
    }

    String containerId(String service) {
        return byService
                .apply(service)
                .orElseThrow(() -> new AssertionError("no container of service " + service))
                .getContainerId();
    }

    /** Saves every container's log, then takes the stack down (docker-compose down -v). */
    @Override
    public void close() {
        saveLogs();
        compose.stop();
    }

    /** What the stack left: ids of its containers that still exist, and its networks. */
    List<String> leftBehind() {
        List<String> left = new ArrayList<>();
        projectContainers().forEach(c -> left.add("container " + c.getNames()[0]));
        docker.listNetworksCmd().exec().stream()
                .filter(n -> n.getName().startsWith(identifier))
                .forEach(n -> left.add("network " + n.getName()));
        return left;
    }

    /** How many containers the stack had once it was up. */
    int containersStarted() {
        return containerIds.size();
    }

    private List<Container> projectContainers() {
        return docker
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(List.of("com.docker.compose.project"))
                .exec()
                .stream()
                .filter(c -> c.getLabels()
                        .getOrDefault("com.docker.compose.project", "")
                        .startsWith(identifier))
                .toList();
    }

    private void saveLogs() {
        for (Container container : projectContainers()) {
            String service = container.getLabels().getOrDefault("com.docker.compose.service", container.getId());
            Path file = logs.resolve(service + ".log");
            try (OutputStream out = Files.newOutputStream(file)) {
                docker.logContainerCmd(container.getId())
                        .withStdOut(true)
                        .withStdErr(true)
                        .exec(new ResultCallback.Adapter<Frame>() {
                            @Override
                            public void onNext(Frame frame) {
                                try {
                                    out.write(frame.getPayload());
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        })
                        .awaitCompletion(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("could not save the log of {}: {}", service, e.toString());
            }
        }
        log.info("container logs in {}", logs);
    }

    private static void buildImages(Path root, Path logs, String baseImage) throws Exception {
        ProcessBuilder build = new ProcessBuilder(
                        root.resolve("docker/build-images.sh").toString(), "--no-build")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("build-images.log").toFile());
        if (baseImage != null) {
            build.environment().put("GOIM_BASE_IMAGE", baseImage);
        }
        log.info(
                "docker/build-images.sh --no-build (base image {})",
                baseImage == null ? "the Dockerfile's" : baseImage);
        Process process = build.start();
        if (!process.waitFor(BUILD.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("docker/build-images.sh took longer than " + BUILD);
        }
        assertThat(process.exitValue())
                .as(
                        "docker/build-images.sh exit code; its output: %s",
                        Files.readString(logs.resolve("build-images.log")))
                .isZero();
    }

    private static boolean hasComposeV1() throws InterruptedException {
        try {
            Process process = new ProcessBuilder("docker-compose", "version")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A free port on 127.0.0.1 for every host port of docker-compose.yml, below Linux's ephemeral
     * range (32768 and up): Compose publishes some of them minutes after they were picked, and a
     * port of that range may meanwhile be the local end of anyone's outgoing connection.
     */
    private static Map<String, Integer> freePorts() throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int attempt = 0; attempt < 1000 && ports.size() < PORT_VARIABLES.size(); attempt++) {
                int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
                try {
                    held.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
                    ports.put(PORT_VARIABLES.get(ports.size()), port);
                } catch (IOException inUse) {
                    // taken: try another
                }
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
        if (ports.size() < PORT_VARIABLES.size()) {
            throw new IOException("no " + PORT_VARIABLES.size() + " free ports in 20000-31999 on 127.0.0.1");
        }
        return ports;
    }
}
