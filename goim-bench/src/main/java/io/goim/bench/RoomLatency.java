package io.goim.bench;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Connects {@code clients} goim WebSocket clients into one room, then sends {@code warmup +
 * pushes} room pushes over HTTP at a fixed rate and records, for every push and every client, the
 * time from just before the HTTP request to the client's receipt. Clients and pusher share this
 * process, so one monotonic clock serves both ends.
 */
final class RoomLatency {
    record Settings(
            URI ws,
            URI push,
            String room,
            int clients,
            int threads,
            int pushes,
            int warmup,
            Duration interval,
            int connectPerSecond,
            long midBase) {
        static Settings from(Options o) {
            return new Settings(
                    URI.create(o.string("ws", "ws://127.0.0.1:3102/sub")),
                    URI.create(o.string(
                            "push", "http://127.0.0.1:3111/goim/push/room?operation=1000&type=live&room=1000")),
                    o.string("room", "live://1000"),
                    o.integer("clients", 2000),
                    o.integer("threads", Runtime.getRuntime().availableProcessors()),
                    o.integer("pushes", 60),
                    o.integer("warmup", 5),
                    Duration.ofMillis(o.integer("interval-ms", 1000)),
                    o.integer("connect-per-second", 1000),
                    o.longValue("mid-base", 1));
        }
    }

    /** What one run saw: the send time of every push and every client's receipt time (0: none). */
    record Result(Settings settings, int connected, long[] sentAt, long[] repliedAt, long[][] receivedAt, int closed) {
        boolean complete() {
            return connected == settings.clients() && failedPushes() == 0 && missing() == 0;
        }

        /** Pushes whose HTTP call failed or was not answered with code 0. */
        int failedPushes() {
            int failed = 0;
            for (long at : repliedAt) {
                failed += at == 0 ? 1 : 0;
            }
            return failed;
        }

        long missing() {
            long missing = 0;
            for (int p = settings.warmup(); p < sentAt.length; p++) {
                for (long at : receivedAt[p]) {
                    missing += at == 0 ? 1 : 0;
                }
            }
            return missing;
        }

        String report() {
            return LatencyReport.of(this).text();
        }
    }

    private RoomLatency() {}

    static Result run(Settings s) throws InterruptedException {
        int total = s.warmup() + s.pushes();
        long[][] receivedAt = new long[total][s.clients()];
        AtomicIntegerArray receipts = new AtomicIntegerArray(total);
        CountDownLatch authed = new CountDownLatch(s.clients());
        BenchClientHandler.Counters counters = new BenchClientHandler.Counters();
        EventLoopGroup group = Transports.group(s.threads());
        List<io.netty.channel.Channel> channels = new ArrayList<>();
        try {
            WsConnector connector = new WsConnector(group, s.ws());
            long pause = TimeUnit.SECONDS.toNanos(1) / Math.max(1, s.connectPerSecond());
            long next = System.nanoTime();
            for (int i = 0; i < s.clients(); i++) {
                BenchClientHandler handler = new BenchClientHandler(
                        i, WsConnector.token(s.midBase() + i, s.room()), receivedAt, receipts, authed, counters);
                channels.add(connector.connect(handler, cause -> counters.failed(handler, cause)));
                next += pause;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            if (!authed.await(60, TimeUnit.SECONDS)) {
                System.err.println("not every client was authenticated within 60 s");
            }
            int connected = counters.authenticated();
            System.err.printf(
                    "%d of %d clients authenticated (%d failed); pushing %d + %d warm-up every %d ms%n",
                    connected,
                    s.clients(),
                    counters.failures(),
                    s.pushes(),
                    s.warmup(),
                    s.interval().toMillis());

            long[] sentAt = new long[total];
            long[] repliedAt = new long[total];
            try (HttpPusher http = new HttpPusher(group, s.push())) {
                long start = System.nanoTime();
                for (int p = 0; p < total; p++) {
                    long due = start + p * s.interval().toNanos();
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    try {
                        HttpPusher.Reply reply = http.post(Wire.body(p));
                        sentAt[p] = reply.sentAt();
                        if (reply.status() == 200 && reply.body().contains("\"code\":0")) {
                            repliedAt[p] = reply.repliedAt();
                        } else {
                            System.err.printf("push %d answered %d %s%n", p, reply.status(), reply.body());
                        }
                    } catch (IOException e) {
                        sentAt[p] = System.nanoTime();
                        System.err.printf("push %d failed: %s%n", p, e);
                    }
                }
            }
            // stragglers: up to 5 s after the last push for every receipt to come in
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (receipts.get(total - 1) < connected && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            for (int p = 0; p < total; p++) {
                receipts.get(p); // a volatile read: the receipt times written before it are visible
            }
            return new Result(s, connected, sentAt, repliedAt, receivedAt, counters.closed());
        } finally {
            for (io.netty.channel.Channel ch : channels) {
                ch.close();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
