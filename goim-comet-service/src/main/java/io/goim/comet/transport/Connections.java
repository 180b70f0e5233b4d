package io.goim.comet.transport;

import io.goim.comet.config.CometProperties;
import io.goim.comet.rpc.LogicClient;
import io.goim.comet.session.Buckets;
import io.goim.comet.session.CloseReason;
import io.goim.comet.session.OnlineCounts;
import io.netty.channel.ChannelHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every client connection of this comet, whatever its transport: gives each a {@link
 * ConnectionOutbound} and a {@link FrameHandler}, counts connections per IP (and refuses those over
 * the optional limit), and closes them all, spread over time, when the comet drains.
 */
@Component
public class Connections {
    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    private final CometProperties properties;
    private final LogicClient logic;
    private final Buckets buckets;
    private final OnlineCounts online;
    private final CometMetrics metrics;
    private final ChannelGroup all = new DefaultChannelGroup("goim-clients", GlobalEventExecutor.INSTANCE);
    private final Map<String, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AcceptGate gate;
    private final ConnectionErrors errors = new ConnectionErrors();
    private volatile boolean draining;

    Connections(
            CometProperties properties, LogicClient logic, Buckets buckets, OnlineCounts online, CometMetrics metrics) {
        this.properties = properties;
        this.logic = logic;
        this.buckets = buckets;
        this.online = online;
        this.metrics = metrics;
        this.gate = new AcceptGate(
                properties.accept().maxPending(), properties.accept().maxParked(), metrics::acceptPaused);
        metrics.acceptGate(gate);
    }

    /** A listener's server channel: it stops accepting while too many connections await auth. */
    public void serving(io.netty.channel.Channel server) {
        gate.serve(server);
    }

    /**
     * A connection a listener just accepted, before anything was read from it: true when it is to be
     * set up now; false when it waits its turn (a connect storm), then {@code start} sets it up on
     * its event loop.
     */
    public boolean accepted(io.netty.channel.Channel channel, Runnable start) {
        return gate.accepted(channel, start);
    }

    /** The connection got its op 8. */
    void authenticated(io.netty.channel.Channel channel) {
        gate.through(channel);
    }

    /** The same, the handlers right after {@code base} in the channel's pipeline. */
    public void installAfter(io.netty.channel.Channel channel, String base, Transport transport, String cookie) {
        String[] last = {base};
        install(channel, transport, cookie, (name, handler) -> {
            channel.pipeline().addAfter(last[0], name, handler);
            last[0] = name;
        });
    }

    /**
     * Installs goim's handlers on a new connection, last, after the transport's frame codec; call
     * it from the connection's event loop.
     */
    public void install(io.netty.channel.Channel channel, Transport transport, String cookie) {
        install(channel, transport, cookie, channel.pipeline()::addLast);
    }

    private void install(
            io.netty.channel.Channel channel,
            Transport transport,
            String cookie,
            BiConsumer<String, ChannelHandler> addLast) {
        String ip = ip(channel.remoteAddress());
        CometProperties.Outbound limits = properties.outbound();
        ConnectionOutbound outbound = new ConnectionOutbound(
                transport,
                metrics,
                limits.maxFrames(),
                (int) limits.maxBytes().toBytes(),
                limits.slowConsumerTimeout());
        addLast.accept("goim-outbound", outbound);
        addLast.accept("goim-frame-handler", new FrameHandler(this, transport, cookie, ip, outbound));
        metrics.opened(transport);
        all.add(channel);
        int fromIp = perIp.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
        int total = open.incrementAndGet();
        channel.closeFuture().addListener(closed -> {
            metrics.closed(transport);
            open.decrementAndGet();
            perIp.computeIfPresent(ip, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
        });
        // refusals are counted (goim_comet_closes_total) and logged at DEBUG: a flood must not flood the log
        CometProperties.Limits limit = properties.limits();
        int maxPerIp = limit.maxConnectionsPerIp();
        if (draining) {
            outbound.close(CloseReason.DRAINING);
        } else if (limit.maxConnections() > 0 && total > limit.maxConnections()) {
            log.debug("connection refused ip={} reason=connection-limit limit={}", ip, limit.maxConnections());
            outbound.close(CloseReason.CONNECTION_LIMIT);
        } else if (maxPerIp > 0
                && fromIp > maxPerIp
                && !(limit.exemptLoopback() && isLoopback(channel.remoteAddress()))) {
            log.debug("connection refused ip={} reason=ip-limit limit={}", ip, maxPerIp);
            outbound.close(CloseReason.IP_LIMIT);
        }
    }

    private static boolean isLoopback(SocketAddress address) {
        return address instanceof InetSocketAddress inet
                && inet.getAddress() != null
                && inet.getAddress().isLoopbackAddress();
    }

    /** Distinct client IPs connected now (Eureka's ip_count, contract section 7). */
    public int ipCount() {
        return perIp.size();
    }

    /** Open client connections now, authenticated or not. */
    public int size() {
        return all.size();
    }

    /**
     * Closes every connection with {@link CloseReason#DRAINING}, a slice every 100 ms so that they are
     * spread over {@code time} and clients do not reconnect elsewhere all at once. New connections are
     * closed at once from now on. Blocks until done.
     */
    public void drain(Duration time) throws InterruptedException {
        draining = true;
        List<io.netty.channel.Channel> open = new ArrayList<>(all);
        int ticks = (int) Math.max(1, time.toMillis() / 100);
        int perTick = Math.max(1, (open.size() + ticks - 1) / ticks);
        log.info("draining connections={} over={}", open.size(), time);
        for (int i = 0; i < open.size(); i += perTick) {
            for (io.netty.channel.Channel channel : open.subList(i, Math.min(open.size(), i + perTick))) {
                ConnectionOutbound outbound = channel.pipeline().get(ConnectionOutbound.class);
                if (outbound != null) {
                    outbound.close(CloseReason.DRAINING);
                } else {
                    channel.close();
                }
            }
            if (i + perTick < open.size()) {
                Thread.sleep(100);
            }
        }
        all.newCloseFuture().await(1_000);
    }

    boolean draining() {
        return draining;
    }

    CometProperties properties() {
        return properties;
    }

    LogicClient logic() {
        return logic;
    }

    Buckets buckets() {
        return buckets;
    }

    OnlineCounts online() {
        return online;
    }

    CometMetrics metrics() {
        return metrics;
    }

    ConnectionErrors errors() {
        return errors;
    }

    @Scheduled(fixedDelayString = "${goim.comet.errors-summary:10s}")
    void logErrorSummary() {
        errors.logSummary();
    }

    private static String ip(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : String.valueOf(address);
    }
}
