package io.goim.bench;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * goim's connect storm: {@code clients} WebSocket clients connect at {@code connectPerSecond}, each
 * authenticates with op 7 as goim's JavaScript client does, they stay for {@code hold}, then all
 * leave. It counts who got op 8 and who was closed (by close code), the time from each connect to
 * its op 8, and, where {@code --cpu} names the services' Prometheus pages, the process CPU each
 * service spent from the first connect until the last Disconnect settled, per connection.
 */
final class ConnectStorm {
    record Settings(
            URI ws,
            String room,
            int clients,
            int threads,
            int connectPerSecond,
            long midBase,
            long holdMillis,
            long authTimeoutMillis,
            long settleMillis,
            String cpu) {
        static Settings from(Options o) {
            return new Settings(
                    URI.create(o.string("ws", "ws://127.0.0.1:3102/sub")),
                    o.string("room", "live://1000"),
                    o.integer("clients", 18_000),
                    o.integer("threads", Runtime.getRuntime().availableProcessors()),
                    o.integer("connect-per-second", 3000),
                    o.longValue("mid-base", 1),
                    o.integer("hold-ms", 1000),
                    o.integer("auth-timeout-ms", 60_000),
                    o.integer("settle-ms", 3000),
                    o.string("cpu", ""));
        }
    }

    record Result(
            Settings settings,
            int authenticated,
            int failed,
            Map<Integer, Long> closedBy,
            long[] authMillis,
            double connectSeconds,
            Map<String, Long> cpuNanos) {
        boolean complete() {
            return authenticated == settings.clients() && closedBy.isEmpty() && failed == 0;
        }

        String report() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(
                    "connect-storm: %d clients at %d/s (%.0f/s reached): authenticated %d, closed by the server %d %s,"
                            + " failed %d%n",
                    settings.clients(),
                    settings.connectPerSecond(),
                    settings.clients() / Math.max(connectSeconds, 1e-9),
                    authenticated,
                    closedBy.values().stream().mapToLong(Long::longValue).sum(),
                    closedBy,
                    failed));
            if (authMillis.length > 0) {
                out.append(String.format(
                        "  connect to op 8, ms: p50 %d  p90 %d  p99 %d  max %d%n",
                        at(0.50), at(0.90), at(0.99), authMillis[authMillis.length - 1]));
            }
            cpuNanos.forEach((service, nanos) -> out.append(String.format(
                    "  cpu %s: %.0f ms in all, %.3f ms per connection (connect, auth, disconnect)%n",
                    service, nanos / 1e6, nanos / 1e6 / Math.max(1, settings.clients()))));
            return out.toString();
        }

        private long at(double quantile) {
            return authMillis[(int) Math.min(authMillis.length - 1, Math.floor(quantile * authMillis.length))];
        }
    }

    private ConnectStorm() {}

    static Result run(Settings s) throws InterruptedException {
        ServiceCpu cpu = new ServiceCpu(s.cpu());
        Map<String, Long> cpuBefore = cpu.read();
        Crowd crowd = Crowd.connect(
                s.ws(), s.room(), s.clients(), s.connectPerSecond(), s.midBase(), s.threads(), (c, p, at) -> {});
        try {
            crowd.awaitSettled(s.authTimeoutMillis());
            TimeUnit.MILLISECONDS.sleep(s.holdMillis());
        } finally {
            crowd.close();
        }
        // the services' Disconnects run after the clients left
        TimeUnit.MILLISECONDS.sleep(s.settleMillis());
        Map<String, Long> spent = ServiceCpu.spent(cpuBefore, cpu.read());
        PushClientHandler.Tally tally = crowd.tally;
        long[] authMillis = new long[tally.authenticated.get()];
        int n = 0;
        for (int i = 0; i < s.clients() && n < authMillis.length; i++) {
            if (tally.authAt[i] != 0) {
                authMillis[n++] = TimeUnit.NANOSECONDS.toMillis(tally.authAt[i] - crowd.connectAt[i]);
            }
        }
        Arrays.sort(authMillis, 0, n);
        Map<Integer, Long> closedBy = tally.closedByCode();
        return new Result(
                s,
                tally.authenticated.get(),
                tally.failed.get(),
                closedBy,
                Arrays.copyOf(authMillis, n),
                crowd.connectSeconds(),
                spent);
    }
}
