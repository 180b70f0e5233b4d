package io.goim.logic.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * {@code goim.push} (calls by type keys/mids/room/all and result ok/error/rejected) and {@code
 * goim.push.body} (message bytes by type).
 */
@Component
public final class PushMetrics {
    private final MeterRegistry meters;

    PushMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** A push refused before it was tried (bad parameter, limit, API key). */
    public void rejected(String type) {
        count(type, "rejected");
    }

    void count(String type, String result) {
        Counter.builder("goim.push")
                .description("push API calls")
                .tag("type", type)
                .tag("result", result)
                .register(meters)
                .increment();
    }

    /** Connection keys a push by keys or mids left out because their comet left discovery. */
    void skipped(int keys) {
        Counter.builder("goim.push.skipped")
                .description("connection keys not pushed to: their comet left discovery")
                .tag("reason", "comet-left")
                .register(meters)
                .increment(keys);
    }

    void body(String type, int bytes) {
        DistributionSummary.builder("goim.push.body")
                .description("pushed message sizes")
                .baseUnit("bytes")
                .tag("type", type)
                .register(meters)
                .record(bytes);
    }
}
