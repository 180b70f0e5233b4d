package io.goim.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * One service started from its executable jar as its own JVM, as users run it. Its output goes to a
 * log file; the ports it binds (port 0) are read from its log lines.
 */
final class ServiceProcess implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.shared();

    /**
     * Whether a health answer's own status is UP. A comet's {@code /actuator/health/readiness} is UP
     * only once it knows a logic to authenticate clients with; a text search for {@code
     * "status":"UP"} would also match one of its components while the whole is DOWN.
     */
    static boolean up(String health) {
        try {
            return "UP".equals(JSON.readTree(health).path("status").asString());
        } catch (RuntimeException notJson) {
            return false;
        }
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * The arguments every service of a test system takes: random ports, the test's Eureka, Kafka and
     * Redis, logic's timeouts relaxed (the services and a broker share two cores here; logic's 1 s
     * failure budget is tested in logic's own tests) and logic's push warm-up of {@code warmupPushes}.
     */
    static List<String> systemArgs(String eurekaUrl, String kafkaBrokers, int redisPort, int warmupPushes) {
        return List.of(
                "--server.port=0",
                "--spring.grpc.server.port=0",
                "--eureka.client.service-url.defaultZone=" + eurekaUrl,
                "--eureka.client.registry-fetch-interval-seconds=1",
                "--spring.kafka.bootstrap-servers=" + kafkaBrokers,
                "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + redisPort,
                "--goim.logic.timeouts.redis=3s",
                "--goim.logic.timeouts.kafka=5s",
                "--goim.logic.warmup.pushes=" + warmupPushes);
    }

    static ServiceProcess start(String name, String jarProperty, List<String> args) {
        Path jar = Path.of(System.getProperty(jarProperty, "missing-" + jarProperty));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no executable jar for " + name + " at " + jar + "; run ./mvnw verify");
        }
        List<String> command = new ArrayList<>(List.of(
                java(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dio.netty.leakDetection.level=paranoid",
                "-jar",
                jar.toString()));
        command.addAll(args);
        return run(name, command);
    }

    /** The java launcher of the test's own JDK. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Any command as a process of its own, its output in {@code <name>.log}. */
    static ServiceProcess run(String name, List<String> command) {
        Path logs = Path.of(System.getProperty("goim.e2e.logs", "target/e2e-logs"));
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(name + ".log");
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            ServiceProcess service = new ServiceProcess(name, process, log);
            // one thread per process: a pump that waits for a pool slot would block the service on a full pipe
            Thread.ofPlatform().daemon().name(name + "-log").start(service::pump);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void pump() {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                out.println(line);
            }
        } catch (IOException e) {
            lines.add("log pump failed: " + e);
        }
    }

    /** The first number captured by {@code regex} in the log, or -1 while there is none. */
    int find(String regex) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
        }
        Pattern pattern = Pattern.compile(regex);
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    /** Whether a line of the log matches {@code regex}. */
    boolean logged(String regex) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
        }
        Pattern pattern = Pattern.compile(regex);
        return lines.stream().anyMatch(line -> pattern.matcher(line).find());
    }

    /** Log lines that report a Netty leak: paranoid leak detection runs in every service. */
    List<String> leaks() {
        return lines.stream().filter(line -> line.contains("LEAK:")).toList();
    }

    String name() {
        return name;
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the process to end by itself; its exit code, or -1 when it still runs. */
    int waitFor(java.time.Duration atMost) throws InterruptedException {
        return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGSTOP or SIGCONT: the process freezes or resumes, its sockets stay open (a network partition). */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** Ends the process at once if it still runs (for a JVM shutdown hook: no waiting there). */
    void killNow() {
        process.destroyForcibly();
    }

    /** SIGKILL: the process gets no chance to drain, deregister or commit (a crash). */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, without waiting: the service drains as on a rollout. */
    void terminate() {
        process.destroy();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
