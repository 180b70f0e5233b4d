package io.goim.logic.rpc;

import io.goim.logic.auth.AuthenticationException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * {@code goim.connects} (ok/refused/error), {@code goim.disconnects} (deleted, kept because a newer
 * connection owns the key, error) and {@code goim.auth.failures} by reason.
 */
@Component
final class SessionMetrics {
    private final MeterRegistry meters;

    SessionMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void connected(String result) {
        Counter.builder("goim.connects").tag("result", result).register(meters).increment();
    }

    void refused(AuthenticationException.Reason reason) {
        connected("refused");
        Counter.builder("goim.auth.failures")
                .description("tokens refused by Connect")
                .tag("reason", reason.tag())
                .register(meters)
                .increment();
    }

    void disconnected(String result) {
        Counter.builder("goim.disconnects")
                .tag("result", result)
                .register(meters)
                .increment();
    }
}
