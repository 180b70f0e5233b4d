package io.goim.comet.transport;

import io.goim.comet.session.Buckets;
import io.goim.comet.session.CloseReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * comet's meters on {@code /actuator/prometheus}: connections by transport, auth results, frames in
 * and out, bytes out, drops and closes by reason, rooms, heartbeat timeouts. gRPC calls are counted
 * by Spring gRPC's own observation ({@code grpc_server_*}).
 */
@Component
public class CometMetrics {
    private final MeterRegistry registry;
    private final Map<Transport, AtomicInteger> connections = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> framesIn = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> framesOut = new EnumMap<>(Transport.class);
    private final Map<Transport, Counter> bytesOut = new EnumMap<>(Transport.class);
    private final Map<CloseReason, Counter> closes = new EnumMap<>(CloseReason.class);
    private final Map<String, Counter> drops = new ConcurrentHashMap<>();
    private final Map<String, Counter> auths = new ConcurrentHashMap<>();
    private final Counter heartbeatTimeouts;
    private final Counter acceptPauses;
    private final Map<String, Timer> fanoutTimers = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> fanoutSizes = new ConcurrentHashMap<>();

    CometMetrics(MeterRegistry registry, Buckets buckets) {
        this.registry = registry;
        for (Transport transport : Transport.values()) {
            AtomicInteger count = new AtomicInteger();
            connections.put(transport, count);
            Gauge.builder("goim.comet.connections", count, AtomicInteger::get)
                    .description("open client connections")
                    .tag("transport", transport.tag())
                    .register(registry);
            framesIn.put(transport, counter("goim.comet.frames.in", "transport", transport.tag()));
            framesOut.put(transport, counter("goim.comet.frames.out", "transport", transport.tag()));
            bytesOut.put(transport, counter("goim.comet.bytes.out", "transport", transport.tag()));
        }
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, counter("goim.comet.closes", "reason", reason.tag()));
        }
        heartbeatTimeouts = counter("goim.comet.heartbeat.timeouts", null, null);
        acceptPauses = counter("goim.comet.accept.pauses", null, null);
        Gauge.builder("goim.comet.channels", buckets, Buckets::connectionCount)
                .description("authenticated channels in the buckets")
                .register(registry);
        Gauge.builder("goim.comet.rooms", buckets, b -> b.roomCounts().size())
                .description("rooms with at least one channel on this comet")
                .register(registry);
    }

    private Counter counter(String name, String tag, String value) {
        Counter.Builder builder = Counter.builder(name);
        if (tag != null) {
            builder.tag(tag, value);
        }
        return builder.register(registry);
    }

    void opened(Transport transport) {
        connections.get(transport).incrementAndGet();
    }

    void closed(Transport transport) {
        connections.get(transport).decrementAndGet();
    }

    void frameIn(Transport transport) {
        framesIn.get(transport).increment();
    }

    void frameOut(Transport transport, int bytes) {
        framesOut.get(transport).increment();
        bytesOut.get(transport).increment(bytes);
    }

    void closedBy(CloseReason reason) {
        closes.get(reason).increment();
        if (reason == CloseReason.HEARTBEAT_TIMEOUT) {
            heartbeatTimeouts.increment();
        }
    }

    /** A pushed frame that did not fit a connection's outbound queue, or found it closed. */
    void dropped(String reason) {
        drops.computeIfAbsent(reason, r -> counter("goim.comet.drops", "reason", r))
                .increment();
    }

    /**
     * How long a fan-out of {@code kind} (push, room, broadcast) took on comet, from the gRPC call to
     * the last event loop having written to its channels, and to how many channels.
     */
    public void fanout(String kind, int channels, long nanos) {
        fanoutTimers
                .computeIfAbsent(
                        kind,
                        k -> Timer.builder("goim.comet.fanout")
                                .description("gRPC push to the last channel's write, on comet")
                                .tag("kind", k)
                                .publishPercentileHistogram()
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        fanoutSizes
                .computeIfAbsent(
                        kind,
                        k -> DistributionSummary.builder("goim.comet.fanout.channels")
                                .tag("kind", k)
                                .register(registry))
                .record(channels);
    }

    /** The accept gate: connections between accept and op 8 now, and how often accepting stopped. */
    void acceptGate(AcceptGate gate) {
        Gauge.builder("goim.comet.accept.pending", gate, AcceptGate::pending)
                .description("connections accepted and not yet through auth")
                .register(registry);
        Gauge.builder("goim.comet.accept.parked", gate, AcceptGate::parked)
                .description("connections accepted and waiting for their turn to be set up (a connect storm)")
                .register(registry);
    }

    void acceptPaused() {
        acceptPauses.increment();
    }

    /** result: ok, refused (logic said no), unavailable (logic could not be asked). */
    void auth(String result) {
        auths.computeIfAbsent(result, r -> counter("goim.comet.auth", "result", r))
                .increment();
    }
}
