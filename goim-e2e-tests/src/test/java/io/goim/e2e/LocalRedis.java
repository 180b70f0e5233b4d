package io.goim.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import redis.embedded.RedisServer;

/**
 * A real Redis for the tests: the one on 127.0.0.1:6379 when it answers PING, else the redis-server
 * binary that embedded-redis ships, started on a free port (a machine with only a JDK has no Redis).
 * {@link #own()} always starts one of its own, as a process the test may freeze, kill and restart.
 */
final class LocalRedis implements AutoCloseable {
    private final int port;
    private final RedisServer started;
    private final Path binary;
    private ServiceProcess process;
    private int starts;

    private LocalRedis(int port, RedisServer started, Path binary) {
        this.port = port;
        this.started = started;
        this.binary = binary;
    }

    static LocalRedis start() throws IOException {
        int port = Integer.getInteger("goim.e2e.redis.port", 6379);
        if (answersPing(port)) {
            return new LocalRedis(port, null, null);
        }
        int free = freePort();
        RedisServer server = RedisServer.newRedisServer()
                .port(free)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        return new LocalRedis(free, server, null);
    }

    /**
     * A redis-server of the test's own on a free port, never the shared one (a fault test stops it):
     * the machine's {@code redis-server} when there is one, else embedded-redis's binary. No
     * persistence, as the Redis the services use here: a restart starts empty.
     */
    static LocalRedis own() throws IOException {
        Path binary = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(binary)) {
            binary = Files.createTempFile("goim-redis-server", "");
            try (InputStream in = RedisServer.class.getResourceAsStream("/redis-server-6.2.6-v5-linux-amd64")) {
                if (in == null) {
                    throw new IOException("no redis-server on this machine, nor in embedded-redis");
                }
                Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
            }
            binary.toFile().setExecutable(true);
            binary.toFile().deleteOnExit();
        }
        LocalRedis redis = new LocalRedis(freePort(), null, binary);
        redis.launch();
        return redis;
    }

    private void launch() {
        starts++;
        process = ServiceProcess.run(
                "cluster-redis" + (starts == 1 ? "" : "-" + starts),
                List.of(
                        binary.toString(),
                        "--bind",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--save",
                        "",
                        "--appendonly",
                        "no"));
        org.awaitility.Awaitility.await("redis-server on " + port)
                .atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> answersPing(port));
    }

    /** SIGSTOP: Redis answers nothing, its connections stay open, new ones wait in the backlog. */
    void pause() throws IOException, InterruptedException {
        process.signal("STOP");
    }

    /** SIGCONT: Redis goes on with its data, answering what waited. */
    void resume() throws IOException, InterruptedException {
        process.signal("CONT");
    }

    /** SIGKILL, then a new redis-server on the same port: every key is gone (no persistence). */
    void restartEmpty() throws InterruptedException {
        process.kill();
        launch();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    static boolean answersPing(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(5);
            return "+PONG".equals(new String(reply, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    int port() {
        return port;
    }

    /** Ends the process at once (for a JVM shutdown hook). */
    void killNow() {
        if (process != null) {
            process.killNow();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (started != null) {
            started.stop();
        }
        if (process != null) {
            process.kill();
        }
    }
}
