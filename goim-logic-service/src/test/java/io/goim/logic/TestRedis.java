package io.goim.logic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import redis.embedded.RedisServer;

/**
 * A real Redis for the tests: the one on 127.0.0.1:6379 when it answers PING, else the
 * redis-server binary that embedded-redis ships, started once per test JVM on a free port and
 * stopped when the JVM exits. Tests own their keys (unique names) and delete them.
 */
public final class TestRedis {
    private static int port = -1;

    private TestRedis() {}

    public static synchronized int port() {
        if (port > 0) {
            return port;
        }
        if (answersPing(6379)) {
            port = 6379;
            return port;
        }
        int free = freePort();
        RedisServer server;
        try {
            server = RedisServer.newRedisServer()
                    .port(free)
                    .setting("bind 127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (IOException ignored) {
                // the JVM is going away
            }
        }));
        port = free;
        return port;
    }

    public static int freePort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
            return "+PONG".equals(new String(in.readNBytes(5), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }
}
