package io.goim.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in buckets of 0.1 ms up to 10 s (the last bucket holds everything later), recorded from
 * any thread without locks: the receipts of a busy room run to millions, too many to keep each.
 */
final class LatencyHistogram {
    private static final long BUCKET_NANOS = 100_000;
    private static final int BUCKETS = 100_001;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        counts.incrementAndGet((int) Math.min(BUCKETS - 1, Math.max(0, nanos / BUCKET_NANOS)));
    }

    long count() {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += counts.get(i);
        }
        return total;
    }

    /** The latency at quantile {@code q} (nearest rank), in ms, to the bucket's upper bound; 0 when empty. */
    double percentile(double q) {
        long total = count();
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS / 1e6;
            }
        }
        return BUCKETS * BUCKET_NANOS / 1e6;
    }

    /** p50 / p90 / p99 / max, in ms. */
    String summary() {
        return String.format(
                "p50 %.1f  p90 %.1f  p99 %.1f  max %.1f",
                percentile(0.5), percentile(0.9), percentile(0.99), percentile(1));
    }
}
