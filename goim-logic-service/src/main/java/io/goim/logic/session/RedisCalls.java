package io.goim.logic.session;

import io.goim.logic.config.LogicProperties;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every Redis call of logic goes through here: bounded by {@code goim.logic.timeouts.redis} (a Redis
 * that does not answer fails the call instead of hanging it) and timed as {@code goim.redis} by
 * operation and result.
 *
 * <p>The session calls (Connect, Disconnect, Heartbeat, the pushes' look-ups) go straight to
 * Lettuce's asynchronous commands on the connection that Spring's connection factory shares: they
 * run thousands of times a second in a reconnect storm, and Spring Data's reactive template cost
 * logic more CPU per call than the rest of Connect together (a connection resource, a hop to
 * another thread and several operators per command). The commands are issued on the caller's
 * thread, without waiting; the replies complete on Lettuce's event loop.
 *
 * <p>Opening that shared connection is synchronous and waits up to the connect timeout when Redis
 * is unreachable, so it is opened on the bounded elastic scheduler, never on the caller's thread,
 * and again after a failed attempt.
 */
@Component
public final class RedisCalls implements DisposableBean {
    private final MeterRegistry meters;
    private final RedisConnectionFactory factory;
    private final Duration timeout;
    private final Duration sessionTimeout;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile RedisConnection connection;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;

    RedisCalls(MeterRegistry meters, RedisConnectionFactory factory, LogicProperties properties) {
        this.meters = meters;
        this.factory = factory;
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

    /**
     * Lettuce commands for the push and query API (and the history's, which live in their own
     * package), bounded by {@code goim.logic.timeouts.redis}.
     */
    public <T> CompletableFuture<T> commands(
            String operation, Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<T>> command) {
        return commands(operation, command, timeout);
    }

    /** Lettuce commands of a session write for comet, bounded by {@code timeouts.session}. */
    <T> CompletableFuture<T> sessionCommands(
            String operation, Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<T>> command) {
        return commands(operation, command, sessionTimeout);
    }

    private <T> CompletableFuture<T> commands(
            String operation,
            Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<T>> command,
            Duration bound) {
        long start = System.nanoTime();
        RedisClusterAsyncCommands<byte[], byte[]> open = commands;
        CompletableFuture<T> result;
        try {
            result = open != null
                    ? command.apply(open).toCompletableFuture()
                    : CompletableFuture.supplyAsync(this::open, Schedulers.boundedElastic()::schedule)
                            .thenCompose(command);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        // a new future: the timeout must not complete the command that Lettuce still owns
        CompletableFuture<T> bounded = new CompletableFuture<>();
        result.whenComplete((value, error) -> {
            if (error == null) {
                bounded.complete(value);
            } else {
                bounded.completeExceptionally(error);
            }
        });
        return bounded.orTimeout(bound.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((value, error) -> timer(operation, error == null ? "ok" : "error")
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    private synchronized RedisClusterAsyncCommands<byte[], byte[]> open() {
        if (commands == null) {
            RedisConnection opened = factory.getConnection();
            @SuppressWarnings("unchecked")
            RedisClusterAsyncCommands<byte[], byte[]> async =
                    (RedisClusterAsyncCommands<byte[], byte[]>) opened.getNativeConnection();
            connection = opened;
            commands = async;
        }
        return commands;
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
        return timers.computeIfAbsent(
                operation + '/' + result,
                k -> Timer.builder("goim.redis")
                        .description("Redis calls of logic")
                        .tag("op", operation)
                        .tag("result", result)
                        .register(meters));
    }

    @Override
    public void destroy() {
        RedisConnection open = connection;
        if (open != null) {
            open.close();
        }
    }
}
