package io.goim.comet.rpc;

import io.goim.comet.config.CometProperties;
import io.goim.comet.session.Buckets;
import io.goim.comet.session.Channel;
import io.goim.proto.logic.HeartbeatReq;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes every session of this comet to logic again, with one Heartbeat per connection (logic adds
 * a session that a Heartbeat finds missing), when logic reports that Redis lost them: a Redis
 * restarted without persistence would otherwise leave pushes by key or mid finding nobody until each
 * connection's own next Heartbeat to logic, 10 to 30 min later. At most {@link #IN_FLIGHT} calls at
 * once, so that connects keep most of comet's calls to logic; one pass at a time.
 */
@Component
class SessionRewriter {
    static final int IN_FLIGHT = 16;
    private static final Logger log = LoggerFactory.getLogger(SessionRewriter.class);

    private final LogicClient logic;
    private final Buckets buckets;
    private final String server;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter rewritten;
    private final Counter failed;

    SessionRewriter(LogicClient logic, Buckets buckets, CometProperties properties, MeterRegistry registry) {
        this.logic = logic;
        this.buckets = buckets;
        this.server = properties.server();
        this.rewritten = Counter.builder("goim.comet.sessions.rewritten")
                .description("sessions written to logic again after logic found them missing in Redis")
                .tag("result", "ok")
                .register(registry);
        this.failed = Counter.builder("goim.comet.sessions.rewritten")
                .description("sessions written to logic again after logic found them missing in Redis")
                .tag("result", "failed")
                .register(registry);
    }

    /** Starts a pass over every connection, unless one runs; returns at once. */
    void rewrite() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("session-rewrite").start(() -> {
            try {
                pass();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.set(false);
            }
        });
    }

    private void pass() throws InterruptedException {
        List<Channel> channels = new ArrayList<>(buckets.connectionCount());
        for (int i = 0; i < buckets.size(); i++) {
            buckets.get(i).forEach(channels::add);
        }
        log.info("sessions missing in logic's Redis: writing them again connections={}", channels.size());
        long start = System.nanoTime();
        Semaphore slots = new Semaphore(IN_FLIGHT);
        for (Channel channel : channels) {
            slots.acquire();
            HeartbeatReq request = HeartbeatReq.newBuilder()
                    .setMid(channel.mid())
                    .setKey(channel.key())
                    .setServer(server)
                    .build();
            logic.heartbeat(request).whenComplete((reply, error) -> {
                slots.release();
                (error == null ? rewritten : failed).increment();
            });
        }
        slots.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS);
        log.info(
                "sessions written again connections={} took_ms={}",
                channels.size(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
