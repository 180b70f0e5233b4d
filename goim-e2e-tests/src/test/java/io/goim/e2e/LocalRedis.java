package io.goim.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import redis.embedded.RedisServer;

/**
 * A real Redis for the tests: the one on 127.0.0.1:6379 when it answers PING, else the redis-server
 * binary that embedded-redis ships, started on a free port (a machine with only a JDK has no Redis).
 */
final class LocalRedis implements AutoCloseable {
    private final int port;
    private final RedisServer started;

    private LocalRedis(int port, RedisServer started) {
        this.port = port;
        this.started = started;
    }

    static LocalRedis start() throws IOException {
        int port = Integer.getInteger("goim.e2e.redis.port", 6379);
        if (answersPing(port)) {
            return new LocalRedis(port, null);
        }
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        RedisServer server = RedisServer.newRedisServer()
                .port(free)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        return new LocalRedis(free, server);
    }

    private static boolean answersPing(int port) {
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

    @Override
    public void close() throws IOException {
        if (started != null) {
            started.stop();
        }
    }
}
