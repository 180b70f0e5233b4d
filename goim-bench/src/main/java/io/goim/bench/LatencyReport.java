package io.goim.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Summary of a room-latency run over the measured pushes (warm-up excluded): per push the first and
 * the last client's latency, and every single receipt; exact percentiles (nearest rank), in ms.
 */
record LatencyReport(
        RoomLatency.Result result, double[] http, double[] first, double[] last, double[] every, int incompletePushes) {

    static LatencyReport of(RoomLatency.Result r) {
        RoomLatency.Settings s = r.settings();
        int measured = s.pushes();
        double[] http = new double[measured];
        int replied = 0;
        double[] first = new double[measured];
        double[] last = new double[measured];
        double[] every = new double[measured * s.clients()];
        int n = 0;
        int complete = 0;
        int incomplete = 0;
        for (int i = 0; i < measured; i++) {
            int p = s.warmup() + i;
            long sent = r.sentAt()[p];
            if (r.repliedAt()[p] != 0) {
                http[replied++] = ms(r.repliedAt()[p] - sent);
            }
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            int got = 0;
            for (long at : r.receivedAt()[p]) {
                if (at != 0) {
                    min = Math.min(min, at);
                    max = Math.max(max, at);
                    every[n++] = ms(at - sent);
                    got++;
                }
            }
            if (got == r.connected() && got > 0) {
                first[complete] = ms(min - sent);
                last[complete] = ms(max - sent);
                complete++;
            } else {
                incomplete++;
            }
        }
        return new LatencyReport(
                r,
                Arrays.copyOf(http, replied),
                Arrays.copyOf(first, complete),
                Arrays.copyOf(last, complete),
                Arrays.copyOf(every, n),
                incomplete);
    }

    String text() {
        RoomLatency.Settings s = result.settings();
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "room latency: %d of %d clients in %s, %d pushes every %d ms (after %d warm-up), %d client threads, %d cores%n",
                result.connected(),
                s.clients(),
                s.room(),
                s.pushes(),
                s.interval().toMillis(),
                s.warmup(),
                s.threads(),
                Runtime.getRuntime().availableProcessors()));
        out.append(String.format(Locale.ROOT, "%-22s %8s %8s %8s %8s %8s%n", "ms", "p50", "p90", "p99", "max", "n"));
        line(out, "HTTP reply", http);
        line(out, "first client", first);
        line(out, "last client", last);
        line(out, "every receipt", every);
        out.append(String.format(
                Locale.ROOT,
                "failed pushes: %d; missing receipts: %d; pushes not received by every client: %d; connections closed by the server: %d",
                result.failedPushes(),
                result.missing(),
                incompletePushes,
                result.closed()));
        return out.toString();
    }

    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void line(StringBuilder out, String name, double[] v) {
        out.append(String.format(
                Locale.ROOT,
                "%-22s %8.1f %8.1f %8.1f %8.1f %8d%n",
                name,
                percentile(v, 50),
                percentile(v, 90),
                percentile(v, 99),
                percentile(v, 100),
                v.length));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
