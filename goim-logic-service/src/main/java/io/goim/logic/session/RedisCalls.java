package io.goim.logic.session;

import io.goim.logic.config.LogicProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every Redis call of logic goes through here: bounded by {@code goim.logic.timeouts.redis} (a Redis
 * that does not answer fails the call instead of hanging it) and timed as {@code goim.redis} by
 * operation and result.
 *
 * <p>Calls are subscribed on the bounded elastic scheduler: Spring Data Redis opens its shared
 * Lettuce connection synchronously on the subscribing thread, which would block an event loop for
 * up to the connect timeout whenever Redis is unreachable. The replies still arrive on Lettuce's
 * threads; the hop costs microseconds.
 */
@Component
public final class RedisCalls {
    private final MeterRegistry meters;
    private final Duration timeout;
    private final Duration sessionTimeout;

    RedisCalls(MeterRegistry meters, LogicProperties properties) {
        this.meters = meters;
        this.timeout = properties.timeouts().redis();
        this.sessionTimeout = properties.timeouts().session();
    }

    /** A call of the push and query API, bounded by {@code goim.logic.timeouts.redis}. */
    public <T> Mono<T> call(String operation, Mono<T> command) {
        return call(operation, command, timeout);
    }

    /** A session write for comet (Connect, Disconnect, Heartbeat), bounded by {@code timeouts.session}. */
    public <T> Mono<T> sessionCall(String operation, Mono<T> command) {
        return call(operation, command, sessionTimeout);
    }

    private <T> Mono<T> call(String operation, Mono<T> command, Duration timeout) {
        return Mono.defer(() -> {
            Timer.Sample sample = Timer.start(meters);
            return command.subscribeOn(Schedulers.boundedElastic())
                    .timeout(timeout)
                    .doOnSuccess(v -> sample.stop(timer(operation, "ok")))
                    .doOnError(e -> sample.stop(timer(operation, "error")));
        });
    }

    private Timer timer(String operation, String result) {
        return Timer.builder("goim.redis")
                .description("Redis calls of logic")
                .tag("op", operation)
                .tag("result", result)
                .register(meters);
    }
}
