package io.goim.logic.push;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.node.CometDirectory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Warms the whole push path up once, at start. A JVM runs code in its interpreter until the code
 * has run some thousands of times, and compiles it fully only after some more; a room that gets
 * one push a second would wait hours for that, and every hop of a push (logic's HTTP and Kafka
 * producer, the broker, job's consumer and gRPC client, comet's gRPC server) would stay slow until
 * then. Measured with goim-bench's C client on 2 cores, everything on one machine, 2,000 clients
 * in a room, one push a second: after 2,000 warm-up pushes the first client's median was 8 ms and
 * the last client's 26 to 29 ms; after 8,000, 5 to 6 ms and 21 to 25 ms. Without any warm-up
 * (goim-bench's Java client, on another day): 34 to 44 ms and 57 to 68 ms.
 *
 * <p>So once a comet is listed, logic sends {@code goim.logic.warmup.pushes} room pushes through
 * the real path: its own push API over HTTP on loopback, Kafka, job (which numbers them in Redis as it
 * numbers a live room's, and forgets those rooms a minute later), BroadcastRoom on every comet
 * (the API key is the first of {@code goim.logic.api.keys} when keys are set). They go to {@value
 * #ROOMS} rooms in turn, each quiet again by the time its turn comes back (so job sends each push
 * at once, as it does a real room's, instead of merging them), of type {@value #ROOM_TYPE} under
 * an id made at random for this start: no client is in them and nobody receives them. logic counts
 * them as {@code goim.push{type="warmup"}}, not as room pushes (job and comet count them as room
 * pushes: they cannot tell). With no comet within {@code max-wait} the warm-up is given up: it
 * would not reach the comets' side.
 *
 * <p>In a cluster (issue 13) every logic that starts repeats it, and each warm-up push goes to every
 * comet: a rollout of many logics sends many times 8,000 room pushes through job while real traffic
 * flows. So it stays on for one logic started by hand (run-local.sh, docker-compose.yml, goim-bench),
 * where it helps the first pushes, and the Helm chart turns it off by default ({@code
 * logic.warmupPushes: 0}): there, many pods start at once and the JVMs warm up on the real traffic
 * within minutes.
 */
@Component
final class PushWarmup implements DisposableBean {
    static final String ROOM_TYPE = "goim-warmup";
    private static final Logger log = LoggerFactory.getLogger(PushWarmup.class);
    private static final int OPERATION = 1000;
    private static final int MAX_FAILURES = 10;
    static final int ROOMS = 500;
    private static final byte[] BODY = "warm-up".getBytes(StandardCharsets.US_ASCII);

    private final CometDirectory comets;
    private final LogicProperties.Warmup settings;
    private final List<String> apiKeys;
    private volatile Disposable running;

    PushWarmup(CometDirectory comets, LogicProperties properties) {
        this.comets = comets;
        this.settings = properties.warmup();
        this.apiKeys = properties.api().keys();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start(ApplicationReadyEvent ready) {
        Integer port = ready.getApplicationContext().getEnvironment().getProperty("local.server.port", Integer.class);
        if (settings.pushes() == 0) {
            return;
        }
        if (port == null) {
            log.info("push warm-up skipped: no HTTP server");
            return;
        }
        WebClient.Builder builder = WebClient.builder().baseUrl("http://127.0.0.1:" + port);
        if (!apiKeys.isEmpty()) {
            builder.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + apiKeys.get(0));
        }
        WebClient api = builder.build();
        String prefix = UUID.randomUUID() + "-";
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> lastError = new AtomicReference<>();
        AtomicLong startedAt = new AtomicLong();
        running = Flux.interval(Duration.ZERO, Duration.ofMillis(500))
                .filter(tick -> !comets.comets().isEmpty())
                .next()
                .timeout(settings.maxWait(), Mono.empty())
                .flatMapMany(tick -> {
                    startedAt.set(System.nanoTime());
                    log.info("push warm-up started pushes={} room_type={}", settings.pushes(), ROOM_TYPE);
                    return Flux.range(0, settings.pushes())
                            // a broken Kafka: stop soon rather than wait out every push's timeout
                            .takeWhile(i -> failed.get() < MAX_FAILURES)
                            .flatMap(
                                    i -> Mono.defer(() -> {
                                        sent.incrementAndGet();
                                        return api.post()
                                                .uri(
                                                        "/goim/push/room?operation={op}&type={type}&room={room}",
                                                        OPERATION,
                                                        ROOM_TYPE,
                                                        prefix + (i % ROOMS))
                                                .bodyValue(BODY)
                                                .retrieve()
                                                .bodyToMono(String.class)
                                                .flatMap(reply -> reply.contains("\"code\":0")
                                                        ? Mono.just(reply)
                                                        : Mono.error(
                                                                new IllegalStateException("push refused: " + reply)))
                                                .timeout(Duration.ofSeconds(5))
                                                .onErrorResume(e -> {
                                                    failed.incrementAndGet();
                                                    lastError.set(e);
                                                    return Mono.empty();
                                                });
                                    }),
                                    settings.concurrency())
                            .then(Mono.just(true));
                })
                .defaultIfEmpty(false)
                .subscribe(
                        warmed -> {
                            long took = Duration.ofNanos(System.nanoTime() - startedAt.get())
                                    .toMillis();
                            if (warmed && failed.get() >= MAX_FAILURES) {
                                log.warn(
                                        "push warm-up stopped sent={} failed={} took_ms={} error={}",
                                        sent.get(),
                                        failed.get(),
                                        took,
                                        String.valueOf(lastError.get()));
                            } else if (warmed) {
                                log.info(
                                        "push warm-up done sent={} failed={} took_ms={}",
                                        sent.get(),
                                        failed.get(),
                                        took);
                            } else {
                                log.info("push warm-up given up: no comet listed within {}", settings.maxWait());
                            }
                        },
                        error -> log.warn("push warm-up broke error={}", error.toString()));
    }

    @Override
    public void destroy() {
        Disposable warmup = running;
        if (warmup != null) {
            warmup.dispose();
        }
    }
}
