package io.goim.job.room;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.goim.job.config.JobProperties;
import io.goim.job.fanout.CometDispatcher;
import io.goim.job.fanout.Delivery;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import redis.embedded.RedisServer;

/**
 * Redis down while job numbers a room's batch (docs/recovery.md, failure cases): the batch is
 * delivered anyway, unnumbered (inner seq 0), counted in {@code goim.job.history.errors}, within a
 * bound, and numbering resumes once Redis is back. RoomFanout and RoomHistory as job wires them, with
 * job's own Redis client settings (its application.yml: command timeout 2 s, connect timeout 1 s,
 * through Spring Boot's Redis auto-configuration) and a recording comet dispatcher, against a Redis
 * that refuses connections (a closed port), one whose connects hang (a full accept queue), and a
 * redis-server of this test's own that it stops and starts again, or freezes (SIGSTOP) and resumes;
 * never the shared one on 6379. A batch that Redis starts past its deadline (half the command
 * timeout after job sent it, in Redis's clock) is neither numbered nor stored, so a freeze leaves no
 * jump in the offsets and nothing that a recover would repeat.
 */
class RoomHistoryDownIT {
    private static final int OP = 1000;
    /** job's {@code spring.data.redis.timeout} (application.yml): a command with no answer fails then. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** job's {@code spring.data.redis.connect-timeout} (application.yml). */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** What the machine may add to a bound (two shared cores). */
    private static final Duration SLACK = Duration.ofSeconds(3);

    private final List<byte[]> delivered = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicLong kafkaOffset = new AtomicLong();
    private final String room = "chat://history-down-it-" + UUID.randomUUID();
    private ConfigurableApplicationContext redisClient;
    private RoomHistory history;
    private RoomFanout fanout;
    private RedisServer redis;
    /** The pid of a redis-server this test stopped with SIGSTOP, 0 when none. */
    private long frozen;

    /**
     * Loads Lettuce, Netty and Spring's Redis classes once, with a client of its own, so that the
     * bounds below measure Redis's absence, not the first connect of the test JVM.
     */
    @BeforeAll
    static void loadTheRedisClient() throws IOException {
        LettuceConnectionFactory warmUp =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", closedPort()));
        warmUp.afterPropertiesSet();
        warmUp.start();
        try (RedisConnection connection = warmUp.getConnection()) {
            connection.ping();
        } catch (RuntimeException expected) {
            // nothing listens there
        } finally {
            warmUp.destroy();
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (fanout != null) {
            fanout.destroy();
        }
        if (history != null) {
            history.destroy();
        }
        if (redisClient != null) {
            redisClient.close();
        }
        if (redis != null) {
            if (frozen != 0) {
                signal(frozen, "CONT");
            }
            redis.stop();
        }
    }

    @Test
    void aBatchLeavesUnnumberedAndCountedAtOnceWhenRedisRefusesConnections() throws Exception {
        start(closedPort());

        Duration took = timed(() -> push("m1"));
        assertThat(deliveredSeqs()).containsExactly("0:m1");
        assertThat(errors()).isEqualTo(1.0);
        assertThat(took).isLessThan(SLACK);
    }

    @Test
    void aConnectThatHangsCostsOneBatchTheConnectTimeoutAndTheNextOnesNothing() throws Exception {
        try (Backlog full = Backlog.full()) {
            start(full.port());

            Duration first = timed(() -> push("m1"));
            Duration second = timed(() -> push("m2"));
            Duration third = timed(() -> push("m3"));
            assertThat(deliveredSeqs()).containsExactly("0:m1", "0:m2", "0:m3");
            assertThat(errors()).isEqualTo(3.0);
            // the first waited for the connect to time out, and only for that
            assertThat(first).isBetween(CONNECT_TIMEOUT.minusMillis(200), CONNECT_TIMEOUT.plus(SLACK));
            // the next ones within 5 s do not try to connect again (RoomHistory's failedRecently)
            assertThat(second).isLessThan(CONNECT_TIMEOUT);
            assertThat(third).isLessThan(CONNECT_TIMEOUT);
        }
    }

    @Test
    void aRedisThatGoesAwayCostsABatchAtMostTheCommandTimeoutAndNumberingResumesWhenItIsBack() throws Exception {
        int port = closedPort();
        redis = startRedis(port);
        start(port);
        assertThat(timed(() -> push("m1"))).isLessThan(SLACK);
        assertThat(deliveredSeqs()).containsExactly("1:m1");
        assertThat(errors()).isZero();

        assertThat(history.clockSamples()).isEqualTo(1);
        redis.stop();
        Duration down = timed(() -> push("m2"));
        assertThat(deliveredSeqs()).containsExactly("1:m1", "0:m2");
        assertThat(errors()).isEqualTo(1.0);
        assertThat(down).isLessThan(COMMAND_TIMEOUT.plus(SLACK));

        // back, empty (no persistence): Lettuce reconnects by itself; the room starts a new epoch
        redis = startRedis(port);
        await("a batch numbered again")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    push("probe").get();
                    return !deliveredSeqs().getLast().startsWith("0:");
                });
        List<String> seqs = deliveredSeqs();
        List<String> numbered = seqs.subList(seqs.indexOf("1:m1") + 1, seqs.size()).stream()
                .filter(s -> !s.startsWith("0:"))
                .toList();
        // m2 waited for Redis's clock (the disconnect made it unknown) and was delivered unnumbered
        // when TIME timed out; its script was never sent: the new epoch starts at 1 with the first
        // batch numbered again
        assertThat(numbered).containsExactly("1:probe");
        // the clock was measured again on the new connection before its first numbering
        assertThat(history.clockSamples()).isGreaterThanOrEqualTo(2);
        assertThat(timed(() -> push("m3"))).isLessThan(SLACK);
        assertThat(deliveredSeqs().getLast()).isEqualTo("2:m3");
        assertThat(kept()).containsExactly("1:probe", "2:m3");
    }

    @Test
    void aFrozenRedisCostsEachBatchTheCommandTimeoutAndKeepsNoneOfThemWhenItResumes() throws Exception {
        int port = closedPort();
        redis = startRedis(port);
        start(port);
        timed(() -> push("m1"));
        String epoch = epoch();

        // SIGSTOP: the connection stays open and Redis answers nothing, as behind a network partition
        frozen = redisPid();
        signal(frozen, "STOP");
        Duration first = timed(() -> push("m2"));
        Duration second = timed(() -> push("m3"));
        assertThat(deliveredSeqs()).containsExactly("1:m1", "0:m2", "0:m3");
        assertThat(errors()).isEqualTo(2.0);
        assertThat(first).isLessThan(COMMAND_TIMEOUT.plus(SLACK));
        assertThat(second).isLessThan(COMMAND_TIMEOUT.plus(SLACK));

        signal(frozen, "CONT");
        frozen = 0;
        // Redis runs m2's and m3's scripts first, on the same connection, before m4's: past their
        // deadlines, they number and store nothing (docs/recovery.md, failure cases)
        assertThat(timed(() -> push("m4"))).isLessThan(SLACK);
        assertThat(epoch()).isEqualTo(epoch);
        // live clients see 1, then m2 and m3 unnumbered, then 2: no jump
        assertThat(deliveredSeqs()).containsExactly("1:m1", "0:m2", "0:m3", "2:m4");
        assertThat(offset()).isEqualTo("2");
        assertThat(kept()).containsExactly("1:m1", "2:m4");
        // a client that recovers from before the freeze (offset 1) gets m4 alone: m2 and m3, which it
        // may have seen live, do not come a second time
        assertThat(keptAfter(1)).containsExactly("2:m4");
        assertThat(errors()).isEqualTo(2.0);
    }

    @Test
    void aBatchThatRedisStartsPastItsDeadlineLeavesUnnumberedBeforeTheCommandTimeout() throws Exception {
        int port = closedPort();
        redis = startRedis(port);
        start(port);
        timed(() -> push("m1"));

        // frozen for longer than the deadline (half the command timeout) but not for the timeout:
        // Redis answers m2's script in time, and the script refused to run
        frozen = redisPid();
        signal(frozen, "STOP");
        CompletableFuture<Void> resumed =
                resumeAfter(COMMAND_TIMEOUT.multipliedBy(3).dividedBy(4));
        Duration late = timed(() -> push("m2"));
        resumed.get(10, TimeUnit.SECONDS);
        frozen = 0;
        assertThat(deliveredSeqs()).containsExactly("1:m1", "0:m2");
        assertThat(errors()).isEqualTo(1.0);
        // it waited for Redis past the deadline, and got the script's refusal before the timeout
        assertThat(late).isBetween(COMMAND_TIMEOUT.dividedBy(2), COMMAND_TIMEOUT);
        assertThat(kept()).containsExactly("1:m1");

        assertThat(timed(() -> push("m3"))).isLessThan(SLACK);
        assertThat(deliveredSeqs()).containsExactly("1:m1", "0:m2", "2:m3");
        assertThat(kept()).containsExactly("1:m1", "2:m3");
    }

    @Test
    void aFreezeShorterThanTheDeadlineOnlyDelaysTheBatch() throws Exception {
        int port = closedPort();
        redis = startRedis(port);
        start(port);
        timed(() -> push("m1"));

        frozen = redisPid();
        signal(frozen, "STOP");
        CompletableFuture<Void> resumed = resumeAfter(Duration.ofMillis(300));
        Duration delayed = timed(() -> push("m2"));
        resumed.get(10, TimeUnit.SECONDS);
        frozen = 0;
        assertThat(deliveredSeqs()).containsExactly("1:m1", "2:m2");
        assertThat(errors()).isZero();
        assertThat(delayed).isBetween(Duration.ofMillis(250), COMMAND_TIMEOUT.dividedBy(2));
        assertThat(kept()).containsExactly("1:m1", "2:m2");
    }

    /** RoomFanout and RoomHistory as job wires them, against the Redis on {@code port}. */
    private void start(int port) {
        redisClient = new SpringApplicationBuilder(RedisOnly.class)
                .web(WebApplicationType.NONE)
                .run(
                        // job's application.yml is on the classpath: its Redis timeouts apply
                        "--spring.main.web-application-type=none",
                        "--spring.data.redis.host=127.0.0.1",
                        "--spring.data.redis.port=" + port,
                        // a batch leaves as soon as the one before is done: the bounds are Redis's
                        "--goim.job.room.signal=10ms",
                        "--goim.job.history.room.ttl=2m",
                        "--goim.job.history.meta-ttl=2m",
                        "--goim.job.history.replay-ttl=2m");
        JobProperties properties = redisClient.getBean(JobProperties.class);
        assertThat(redisClient.getEnvironment().getProperty("spring.data.redis.timeout"))
                .isEqualTo(COMMAND_TIMEOUT.toSeconds() + "s");
        assertThat(redisClient.getEnvironment().getProperty("spring.data.redis.connect-timeout"))
                .isEqualTo(CONNECT_TIMEOUT.toSeconds() + "s");
        history = new RoomHistory(properties, redisClient.getBeanProvider(RedisConnectionFactory.class), meters);
        CometDispatcher comets = mock(CometDispatcher.class);
        when(comets.broadcastRoom(anyString(), any(byte[].class))).thenAnswer(call -> {
            if (room.equals(call.getArgument(0))) {
                delivered.add(call.getArgument(1));
            }
            return CompletableFuture.completedFuture(Delivery.ACCEPTED);
        });
        fanout = new RoomFanout(comets, history, properties, meters);
    }

    private CompletableFuture<Delivery> push(String body) {
        return fanout.push(room, new RoomMessage(OP, body.getBytes(UTF_8), 0, kafkaOffset.incrementAndGet()));
    }

    /**
     * How long a push took to reach the comets (it must, accepted), the call included: a batch
     * that leaves at once is numbered on the caller's thread, where RoomHistory opens its connection.
     */
    private static Duration timed(Supplier<CompletableFuture<Delivery>> pushing) {
        long start = System.nanoTime();
        CompletableFuture<Delivery> push = pushing.get();
        await().atMost(Duration.ofSeconds(30)).until(push::isDone);
        assertThat(push.join()).isEqualTo(Delivery.ACCEPTED);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Every room message delivered so far, as "seq:body", in delivery order. */
    private List<String> deliveredSeqs() {
        List<String> seqs = new ArrayList<>();
        for (byte[] body : delivered) {
            for (Frame frame : Frames.decodeAll(body)) {
                try {
                    assertThat(frame.op()).isEqualTo(OP);
                    seqs.add(frame.seq() + ":" + frame.content().toString(UTF_8));
                } finally {
                    frame.release();
                }
            }
        }
        return seqs;
    }

    /** The room's kept messages (its history list), as "seq:body". */
    private List<String> kept() {
        List<String> kept = new ArrayList<>();
        try (RedisConnection connection =
                redisClient.getBean(RedisConnectionFactory.class).getConnection()) {
            for (byte[] bytes : connection.listCommands().lRange(("goim_rh_{" + room + "}").getBytes(UTF_8), 0, -1)) {
                for (Frame frame : Frames.decodeAll(bytes)) {
                    try {
                        kept.add(frame.seq() + ":" + frame.content().toString(UTF_8));
                    } finally {
                        frame.release();
                    }
                }
            }
        }
        return kept;
    }

    /** What a recover from {@code offset} gets of the room's kept messages, as "seq:body". */
    private List<String> keptAfter(int offset) {
        return kept().stream()
                .filter(s -> Integer.parseInt(s.substring(0, s.indexOf(':'))) > offset)
                .toList();
    }

    /** The room's position offset in Redis. */
    private String offset() {
        try (RedisConnection connection =
                redisClient.getBean(RedisConnectionFactory.class).getConnection()) {
            return new String(
                    connection.hashCommands().hGet(("goim_rs_{" + room + "}").getBytes(UTF_8), "o".getBytes(UTF_8)),
                    UTF_8);
        }
    }

    /** Sends SIGCONT to the frozen redis-server {@code after} from now, on another thread. */
    private CompletableFuture<Void> resumeAfter(Duration after) {
        long pid = frozen;
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        signal(pid, "CONT");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS));
    }

    private String epoch() {
        try (RedisConnection connection =
                redisClient.getBean(RedisConnectionFactory.class).getConnection()) {
            return new String(
                    connection.hashCommands().hGet(("goim_rs_{" + room + "}").getBytes(UTF_8), "e".getBytes(UTF_8)),
                    UTF_8);
        }
    }

    private double errors() {
        return meters.get("goim.job.history.errors").counter().count();
    }

    private static RedisServer startRedis(int port) throws IOException {
        RedisServer server = RedisServer.newRedisServer()
                .port(port)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        return server;
    }

    /** The redis-server this test started (embedded-redis runs it as a child process). */
    private static long redisPid() {
        List<ProcessHandle> servers = ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().command().orElse("").contains("redis-server"))
                .toList();
        assertThat(servers).as("this test's redis-server").hasSize(1);
        return servers.getFirst().pid();
    }

    private static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                .redirectErrorStream(true)
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %s", signal, pid).isZero();
    }

    /** A port nothing listens on: bound, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /**
     * A listening socket that never accepts, its accept queue filled: Linux drops further SYNs, so a
     * connect to it hangs until the client's connect timeout, as to a Redis behind a partition.
     */
    private record Backlog(ServerSocket server, List<Socket> queued) implements AutoCloseable {
        static Backlog full() throws IOException {
            ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            List<Socket> queued = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 300);
                    queued.add(socket);
                } catch (SocketTimeoutException e) {
                    socket.close();
                    return new Backlog(server, queued);
                }
            }
            throw new IllegalStateException("the accept queue did not fill: connects would not hang here");
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : queued) {
                socket.close();
            }
            server.close();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(DataRedisAutoConfiguration.class)
    @EnableConfigurationProperties(JobProperties.class)
    static class RedisOnly {}
}
