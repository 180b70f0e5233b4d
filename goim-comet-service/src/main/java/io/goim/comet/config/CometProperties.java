package io.goim.comet.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** {@code goim.comet}: goim's comet configuration sections with goim's defaults. */
@ConfigurationProperties("goim.comet")
@Validated
public record CometProperties(
        String serverId,
        @Valid @DefaultValue Websocket websocket,
        @Valid @DefaultValue Wss wss,
        @Valid @DefaultValue Tcp tcp,
        @Valid @DefaultValue Protocol protocol,
        @Valid @DefaultValue Outbound outbound,
        @Valid @DefaultValue Limits limits,
        @Valid @DefaultValue Accept accept,
        @Valid @DefaultValue Bucket bucket,
        @Valid @DefaultValue Logic logic,
        @Valid @DefaultValue Discovery discovery,
        @Valid @DefaultValue Drain drain,
        @Valid @DefaultValue Io io) {

    /** This comet's server id: configured, else the host name as goim does (contract section 7). */
    public String server() {
        if (serverId != null && !serverId.isBlank()) {
            return serverId;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "comet";
        }
    }

    /** goim's [websocket] section: the /sub listener. Port 0 binds a free port. */
    public record Websocket(
            @DefaultValue("true") boolean enabled,
            @NotBlank @DefaultValue("0.0.0.0") String bind,
            @Min(0) @Max(65535) @DefaultValue("3102") int port,
            @NotBlank @DefaultValue("/sub") String path) {}

    /** WebSocket over TLS (goim: 3103), off unless a PEM certificate and key are configured. */
    public record Wss(
            @DefaultValue("false") boolean enabled,
            @NotBlank @DefaultValue("0.0.0.0") String bind,
            @Min(0) @Max(65535) @DefaultValue("3103") int port,
            String certificate,
            String privateKey) {}

    /** goim's [tcp] section: frames back to back on a byte stream. */
    public record Tcp(
            @DefaultValue("true") boolean enabled,
            @NotBlank @DefaultValue("0.0.0.0") String bind,
            @Min(0) @Max(65535) @DefaultValue("3101") int port) {}

    /** goim's [protocol] section. */
    public record Protocol(
            @NotNull @DefaultValue("5s") Duration handshakeTimeout,
            @Min(0) @DefaultValue("4096") int maxClientBody,
            @NotNull @DefaultValue("10m") Duration logicHeartbeatMin,
            @NotNull @DefaultValue("30m") Duration logicHeartbeatMax,
            @NotNull @DefaultValue("10s") Duration renewOnline) {}

    /**
     * Each connection's outbound queue: what does not fit is dropped and counted; a connection that
     * stays unwritable longer than {@code slowConsumerTimeout} is closed.
     */
    public record Outbound(
            @Min(1) @DefaultValue("32") int maxFrames,
            @NotNull @DefaultValue("64KB") DataSize maxBytes,
            @NotNull @DefaultValue("10s") Duration slowConsumerTimeout) {}

    /**
     * What one client, one address and all clients together may hold of this comet; 0 turns a limit
     * off. The defaults and the numbers behind them are in docs/security.md.
     *
     * @param maxConnectionsPerIp connections from one address at once; more are closed with 4007
     * @param maxFramesPerSecond frames one connection may send in a second; more close it with 4008
     * @param maxConnections connections on this comet at once; more are closed with 4013
     * @param exemptLoopback whether clients on 127.0.0.0/8 or ::1 (a proxy on the same host, the
     *     local tools) are exempt from {@code maxConnectionsPerIp}
     */
    public record Limits(
            @Min(0) @DefaultValue("1000") int maxConnectionsPerIp,
            @Min(0) @DefaultValue("50") int maxFramesPerSecond,
            @Min(0) @DefaultValue("100000") int maxConnections,
            @DefaultValue("true") boolean exemptLoopback) {}

    /**
     * Back-pressure at accept: at most {@code maxPending} connections are between accept and their
     * auth reply (op 8) or close; the ones accepted beyond that are parked (nothing read, no
     * handshake timeout running) and started in order as those get through, instead of all being
     * served late together. Only while {@code maxParked} are parked do the listeners stop accepting
     * (clients then wait in the kernel's accept queue, which holds net.core.somaxconn), until half
     * of them were started. {@code maxPending} 0 accepts without bound; {@code maxParked} 0 parks
     * without bound.
     */
    public record Accept(
            @Min(0) @DefaultValue("512") int maxPending,
            @Min(0) @DefaultValue("20000") int maxParked) {}

    /** goim's [bucket] section: channels are sharded into this many buckets by key. */
    public record Bucket(@Min(1) @DefaultValue("32") int size) {}

    /**
     * How comet finds and calls logic.
     *
     * @param maxInFlight calls to logic at once; more wait in comet, first come first served
     * @param maxWaiting calls that may wait; more are refused at once
     * @param maxWait how long a call may wait before it is dropped; a call whose client left is
     *     dropped when its turn comes, whatever it waited
     */
    public record Logic(
            @NotBlank @DefaultValue("goim-logic") String serviceId,
            @NotNull @DefaultValue("3s") Duration callTimeout,
            @Min(1) @DefaultValue("64") int maxInFlight,
            @Min(0) @DefaultValue("20000") int maxWaiting,
            @NotNull @DefaultValue("10s") Duration maxWait) {}

    /**
     * What comet tells Eureka about itself (contract section 7).
     *
     * @param refresh how often conn_count and ip_count are recomputed; a change is handed to the
     *     Eureka client, which sends it at its next replication (5 s). goim's clients see online/total
     *     within goim's 10 s; 10 s here plus the replication and logic's registry fetch took 25 s and
     *     more (issue 13), so comet looks every 2 s (it costs a map, and a registration only on change)
     * @param grpcPort the gRPC port job is told to call when it is not the bound one (a proxy, a
     *     sidecar or a NAT in front of comet); 0 is the bound port
     */
    public record Discovery(
            @Min(0) @DefaultValue("10") int weight,
            @DefaultValue("false") boolean offline,
            @DefaultValue("") String addrs,
            @NotNull @DefaultValue("2s") Duration refresh,
            @Min(0) @Max(65535) @DefaultValue("0") int grpcPort) {}

    /**
     * The event loops that run every listener and the gRPC server.
     *
     * @param threads how many; 0 is one per available processor
     */
    public record Io(@Min(0) @DefaultValue("0") int threads) {}

    /** Graceful drain on shutdown: connections are closed spread over this time. */
    public record Drain(@NotNull @DefaultValue("10s") Duration time) {}
}
