package io.goim.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on 127.0.0.1 that holds what its clients send for {@link #delay(long)} ms before passing
 * it on (the answers come back at once): in front of a comet's gRPC port it makes every call of job
 * to that comet take that much longer, as a comet that is slow to answer. The upstream port may be
 * set after the proxy listens; connections wait for it.
 */
final class DelayProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int upstream;
    private final CountDownLatch upstreamKnown = new CountDownLatch(1);
    private volatile long delayNanos;

    DelayProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform()
                .daemon()
                .name("delay-proxy-" + server.getLocalPort())
                .start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    void upstream(int port) {
        upstream = port;
        upstreamKnown.countDown();
    }

    void delay(long millis) {
        delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread.ofVirtual().start(() -> connect(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        try {
            upstreamKnown.await(300, TimeUnit.SECONDS);
            Socket target = new Socket(InetAddress.getLoopbackAddress(), upstream);
            sockets.add(target);
            client.setTcpNoDelay(true);
            target.setTcpNoDelay(true);
            InputStream answers = target.getInputStream();
            Thread.ofVirtual().start(() -> delayed(client, target));
            Thread.ofVirtual().start(() -> copy(answers, client, target));
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    /** Client to upstream: each chunk leaves {@code delay} after it came, in order. */
    private void delayed(Socket client, Socket target) {
        BlockingQueue<Object[]> queue = new LinkedBlockingQueue<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream out = target.getOutputStream()) {
                while (true) {
                    Object[] chunk = queue.take();
                    if (chunk.length == 0) {
                        return;
                    }
                    long wait = (long) chunk[0] - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    out.write((byte[]) chunk[1]);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(client);
                closeQuietly(target);
            }
        });
        try (InputStream in = client.getInputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                queue.add(new Object[] {System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)});
            }
        } catch (IOException e) {
            // the connection ended
        } finally {
            queue.add(new Object[0]);
        }
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(target);
    }

    private static void copy(InputStream in, Socket to, Socket from) {
        try (in;
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the connection ended
        } finally {
            closeQuietly(to);
            closeQuietly(from);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(DelayProxy::closeQuietly);
    }
}
