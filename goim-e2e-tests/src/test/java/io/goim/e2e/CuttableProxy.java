package io.goim.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy in front of a comet that a test can cut: {@code cut} closes every connection through
 * it (both sides, as a network that drops) and refuses new ones until {@code resume}. It listens on
 * 127.0.0.1, port 0, and so does its control: {@code POST /cut} and {@code POST /resume}, for a
 * script in another process (the browser test's).
 */
final class CuttableProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final HttpServer control;
    private volatile int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean cut = new AtomicBoolean();
    private volatile boolean closed;

    /** Listening at once; connections are refused until {@link #target} names the comet's port. */
    CuttableProxy() throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        control.createContext("/cut", exchange -> {
            cut();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        control.createContext("/resume", exchange -> {
            resume();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        control.start();
        Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    void target(int port) {
        this.targetPort = port;
    }

    int port() {
        return listener.getLocalPort();
    }

    String controlUrl() {
        return "http://127.0.0.1:" + control.getAddress().getPort();
    }

    void cut() {
        cut.set(true);
        open.forEach(CuttableProxy::closeQuietly);
        open.clear();
    }

    void resume() {
        cut.set(false);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut.get() || targetPort == 0) {
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().name("proxy-connect").start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        open.add(client);
        open.add(upstream);
        if (cut.get()) {
            cut();
            return;
        }
        Thread.ofVirtual().start(() -> pump(client, upstream));
        Thread.ofVirtual().start(() -> pump(upstream, client));
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // cut or closed by either side
        } finally {
            open.remove(from);
            open.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        control.stop(0);
        listener.close();
        open.forEach(CuttableProxy::closeQuietly);
    }
}
