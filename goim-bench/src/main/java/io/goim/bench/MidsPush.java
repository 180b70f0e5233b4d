package io.goim.bench;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Pushes to users: {@code clients} connected users (mid {@code midBase + i}), then {@code rate}
 * pushes a second by mids, each to one user picked at random, for {@code seconds}, from {@code
 * pushers} kept-alive HTTP connections (push i goes out on connection i mod pushers at its due
 * time). Reports the time from each push's send to its receipt, and what was lost or went to
 * another user.
 */
final class MidsPush {
    record Settings(
            URI ws,
            String push,
            String room,
            int clients,
            int connectPerSecond,
            int rate,
            int seconds,
            int pushers,
            long midBase,
            int threads,
            String cpu) {
        static Settings from(Options o) {
            return new Settings(
                    URI.create(o.string("ws", "ws://127.0.0.1:3102/sub")),
                    o.string("push", "http://127.0.0.1:3111/goim/push/mids?operation=1000&mids="),
                    o.string("room", ""),
                    o.integer("clients", 10_000),
                    o.integer("connect-per-second", 2000),
                    o.integer("rate", 1000),
                    o.integer("seconds", 60),
                    o.integer("pushers", 16),
                    o.longValue("mid-base", 1),
                    o.integer("threads", Runtime.getRuntime().availableProcessors()),
                    o.string("cpu", ""));
        }

        int pushes() {
            return rate * seconds;
        }
    }

    record Result(
            Settings settings,
            int authenticated,
            int failedPushes,
            int delivered,
            int misdelivered,
            LatencyHistogram latency,
            Map<String, Long> cpuNanos) {
        boolean complete() {
            return authenticated == settings.clients() && failedPushes == 0 && delivered == settings.pushes();
        }

        String report() {
            StringBuilder out = new StringBuilder(String.format(
                    "mids-push: %d users (%d authenticated), %d pushes/s by mids for %d s: delivered %d of %d,"
                            + " to the wrong user %d, failed pushes %d%n  push to receipt, ms: %s%n",
                    settings.clients(),
                    authenticated,
                    settings.rate(),
                    settings.seconds(),
                    delivered,
                    settings.pushes(),
                    misdelivered,
                    failedPushes,
                    latency.summary()));
            cpuNanos.forEach((service, nanos) -> out.append(String.format(
                    "  cpu %s: %.0f ms (%.1f%% of one core), %.1f µs per push%n",
                    service,
                    nanos / 1e6,
                    nanos / 1e7 / settings.seconds(),
                    nanos / 1e3 / Math.max(1, settings.pushes()))));
            return out.toString();
        }
    }

    private MidsPush() {}

    static Result run(Settings s) throws InterruptedException {
        int pushes = s.pushes();
        int[] target = new int[pushes];
        SplittableRandom random = new SplittableRandom(42);
        for (int p = 0; p < pushes; p++) {
            target[p] = random.nextInt(s.clients());
        }
        AtomicLongArray sentAt = new AtomicLongArray(pushes);
        AtomicLongArray receivedAt = new AtomicLongArray(pushes);
        AtomicInteger misdelivered = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ServiceCpu cpu = new ServiceCpu(s.cpu());
        PushClientHandler.Receipts receipts = (client, push, at) -> {
            if (push >= pushes) {
                return;
            }
            if (target[push] != client) {
                misdelivered.incrementAndGet();
            } else {
                receivedAt.compareAndSet(push, 0, at);
            }
        };
        try (Crowd crowd = Crowd.connect(
                s.ws(), s.room(), s.clients(), s.connectPerSecond(), s.midBase(), s.threads(), receipts)) {
            crowd.awaitSettled(120_000);
            int authenticated = crowd.tally.authenticated.get();
            System.err.printf(
                    "%d of %d users authenticated; %d pushes/s by mids for %d s on %d connections%n",
                    authenticated, s.clients(), s.rate(), s.seconds(), s.pushers());
            Map<String, Long> cpuBefore = cpu.read();
            long interval = TimeUnit.SECONDS.toNanos(1) / s.rate();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            List<Thread> pushers = new ArrayList<>();
            for (int k = 0; k < s.pushers(); k++) {
                int first = k;
                pushers.add(Thread.ofPlatform().name("pusher-" + k).start(() -> {
                    try (HttpPusher http = new HttpPusher(crowd.group(), URI.create(s.push() + s.midBase()))) {
                        for (int p = first; p < pushes; p += s.pushers()) {
                            long wait = start + p * interval - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                            try {
                                HttpPusher.Reply reply =
                                        http.post(URI.create(s.push() + (s.midBase() + target[p])), Wire.body(p));
                                sentAt.set(p, reply.sentAt());
                                if (reply.status() != 200 || !reply.body().contains("\"code\":0")) {
                                    failed.incrementAndGet();
                                }
                            } catch (IOException e) {
                                failed.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (Thread pusher : pushers) {
                pusher.join();
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < end && count(receivedAt) < pushes - failed.get()) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            Map<String, Long> spent = ServiceCpu.spent(cpuBefore, cpu.read());
            LatencyHistogram latency = new LatencyHistogram();
            int delivered = 0;
            for (int p = 0; p < pushes; p++) {
                long at = receivedAt.get(p);
                if (at != 0) {
                    delivered++;
                    latency.record(at - sentAt.get(p));
                }
            }
            return new Result(s, authenticated, failed.get(), delivered, misdelivered.get(), latency, spent);
        }
    }

    private static int count(AtomicLongArray at) {
        int n = 0;
        for (int i = 0; i < at.length(); i++) {
            n += at.get(i) != 0 ? 1 : 0;
        }
        return n;
    }
}
