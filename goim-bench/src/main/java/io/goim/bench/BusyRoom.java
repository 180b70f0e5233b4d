package io.goim.bench;

import java.io.IOException;
import java.net.URI;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * goim's busy room: {@code clients} clients in one room, then room pushes at {@code rate} a second
 * for {@code seconds}. For every push and client it checks receipt, within {@code deadline} of the
 * push's due time, and no duplicate; where {@code --cpu} names the services, it reports the CPU
 * each spent from the first push until the last one's deadline, and comet's per delivery.
 */
final class BusyRoom {
    record Settings(
            URI ws,
            URI push,
            String room,
            int clients,
            int connectPerSecond,
            int rate,
            int seconds,
            long deadlineMillis,
            long midBase,
            int threads,
            String cpu,
            String perDelivery) {
        static Settings from(Options o) {
            return new Settings(
                    URI.create(o.string("ws", "ws://127.0.0.1:3102/sub")),
                    URI.create(o.string(
                            "push", "http://127.0.0.1:3111/goim/push/room?operation=1000&type=live&room=1000")),
                    o.string("room", "live://1000"),
                    o.integer("clients", 18_000),
                    o.integer("connect-per-second", 3000),
                    o.integer("rate", 40),
                    o.integer("seconds", 60),
                    o.integer("deadline-ms", 2000),
                    o.longValue("mid-base", 1),
                    o.integer("threads", Runtime.getRuntime().availableProcessors()),
                    o.string("cpu", ""),
                    o.string("per-delivery", "comet"));
        }

        int pushes() {
            return rate * seconds;
        }
    }

    record Result(
            Settings settings,
            int authenticated,
            int failedPushes,
            long delivered,
            long inTime,
            long duplicates,
            LatencyHistogram latency,
            long pusherLagMillis,
            Map<String, Long> cpuNanos) {
        long expected() {
            return (long) authenticated * settings.pushes();
        }

        boolean complete() {
            return authenticated == settings.clients() && failedPushes == 0 && delivered == expected();
        }

        String report() {
            StringBuilder out = new StringBuilder(String.format(
                    "busy-room: %d clients (%d authenticated), %d pushes/s for %d s: delivered %d of %d (%.3f%%),"
                            + " within %d ms %d (%.3f%%), duplicates %d, failed pushes %d%n",
                    settings.clients(),
                    authenticated,
                    settings.rate(),
                    settings.seconds(),
                    delivered,
                    expected(),
                    100.0 * delivered / Math.max(1, expected()),
                    settings.deadlineMillis(),
                    inTime,
                    100.0 * inTime / Math.max(1, expected()),
                    duplicates,
                    failedPushes));
            out.append(String.format(
                    "  push (due time) to receipt, ms: %s (pusher behind schedule at most %d ms)%n",
                    latency.summary(), pusherLagMillis));
            cpuNanos.forEach((service, nanos) -> out.append(String.format(
                    "  cpu %s: %.0f ms (%.1f%% of one core)%s%n",
                    service,
                    nanos / 1e6,
                    nanos / 1e7 / settings.seconds(),
                    service.equals(settings.perDelivery())
                            ? String.format(", %.2f µs per delivery", nanos / 1e3 / Math.max(1, delivered))
                            : "")));
            return out.toString();
        }
    }

    private BusyRoom() {}

    static Result run(Settings s) throws InterruptedException {
        int pushes = s.pushes();
        long interval = TimeUnit.SECONDS.toNanos(1) / s.rate();
        BitSet[] got = new BitSet[s.clients()];
        for (int i = 0; i < got.length; i++) {
            got[i] = new BitSet(pushes);
        }
        AtomicIntegerArray inTimeByPush = new AtomicIntegerArray(pushes);
        LatencyHistogram latency = new LatencyHistogram();
        LongAdder delivered = new LongAdder();
        LongAdder duplicates = new LongAdder();
        long deadline = TimeUnit.MILLISECONDS.toNanos(s.deadlineMillis());
        AtomicLong startAt = new AtomicLong(Long.MAX_VALUE);
        ServiceCpu cpu = new ServiceCpu(s.cpu());
        // each client's receipts come on its own event loop: its BitSet needs no lock
        PushClientHandler.Receipts receipts = (client, push, at) -> {
            if (push >= pushes) {
                return;
            }
            if (got[client].get(push)) {
                duplicates.increment();
                return;
            }
            got[client].set(push);
            delivered.increment();
            long late = at - (startAt.get() + push * interval);
            latency.record(late);
            if (late <= deadline) {
                inTimeByPush.incrementAndGet(push);
            }
        };
        try (Crowd crowd = Crowd.connect(
                s.ws(), s.room(), s.clients(), s.connectPerSecond(), s.midBase(), s.threads(), receipts)) {
            crowd.awaitSettled(120_000);
            int authenticated = crowd.tally.authenticated.get();
            System.err.printf(
                    "%d of %d clients authenticated; %d pushes/s for %d s%n",
                    authenticated, s.clients(), s.rate(), s.seconds());
            Map<String, Long> cpuBefore = cpu.read();
            int failed = 0;
            long lag = 0;
            try (HttpPusher http = new HttpPusher(crowd.group(), s.push())) {
                long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                startAt.set(start);
                for (int p = 0; p < pushes; p++) {
                    long wait = start + p * interval - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } else {
                        lag = Math.max(lag, -wait);
                    }
                    try {
                        HttpPusher.Reply reply = http.post(Wire.body(p));
                        if (reply.status() != 200 || !reply.body().contains("\"code\":0")) {
                            failed++;
                            System.err.printf("push %d answered %d %s%n", p, reply.status(), reply.body());
                        }
                    } catch (IOException e) {
                        failed++;
                        System.err.printf("push %d failed: %s%n", p, e);
                    }
                }
            }
            // every push's deadline, then a little more for the late ones to be counted as late
            long end = startAt.get() + pushes * interval + deadline + TimeUnit.SECONDS.toNanos(3);
            while (delivered.sum() < (long) authenticated * pushes && System.nanoTime() < end) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            Map<String, Long> spent = ServiceCpu.spent(cpuBefore, cpu.read());
            long inTime = 0;
            for (int p = 0; p < pushes; p++) {
                inTime += inTimeByPush.get(p);
            }
            return new Result(
                    s,
                    authenticated,
                    failed,
                    delivered.sum(),
                    inTime,
                    duplicates.sum(),
                    latency,
                    TimeUnit.NANOSECONDS.toMillis(lag),
                    spent);
        }
    }
}
