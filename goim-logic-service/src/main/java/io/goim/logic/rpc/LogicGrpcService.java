package io.goim.logic.rpc;

import io.goim.logic.auth.AuthenticationException;
import io.goim.logic.auth.Authenticator;
import io.goim.logic.auth.Identity;
import io.goim.logic.config.LogicProperties;
import io.goim.logic.history.HistoryService;
import io.goim.logic.node.Nodes;
import io.goim.logic.node.NodesService;
import io.goim.logic.online.OnlineService;
import io.goim.logic.push.UpstreamMessage;
import io.goim.logic.push.UpstreamPublisher;
import io.goim.logic.session.SessionStore;
import io.goim.proto.logic.Backoff;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReply;
import io.goim.proto.logic.DisconnectReq;
import io.goim.proto.logic.HeartbeatReply;
import io.goim.proto.logic.HeartbeatReq;
import io.goim.proto.logic.LogicGrpc;
import io.goim.proto.logic.NodesReply;
import io.goim.proto.logic.NodesReq;
import io.goim.proto.logic.OnlineReply;
import io.goim.proto.logic.OnlineReq;
import io.goim.proto.logic.ReceiveReply;
import io.goim.proto.logic.ReceiveReq;
import io.goim.proto.logic.RecoverReply;
import io.goim.proto.logic.RecoverReq;
import io.goim.proto.protocol.Proto;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The six methods comets call, as goim's logic serves them (contract sections 2, 4, 6 and 7), and
 * Recover (issue 15).
 */
@Service
final class LogicGrpcService extends LogicGrpc.LogicImplBase {
    private static final Logger log = LoggerFactory.getLogger(LogicGrpcService.class);

    private final Authenticator authenticator;
    private final SessionStore sessions;
    private final OnlineService online;
    private final NodesService nodes;
    private final UpstreamPublisher upstream;
    private final SessionMetrics metrics;
    private final HistoryService history;
    private final long heartbeatNanos;

    LogicGrpcService(
            Authenticator authenticator,
            SessionStore sessions,
            OnlineService online,
            NodesService nodes,
            UpstreamPublisher upstream,
            SessionMetrics metrics,
            HistoryService history,
            LogicProperties properties) {
        this.history = history;
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.online = online;
        this.nodes = nodes;
        this.upstream = upstream;
        this.metrics = metrics;
        this.heartbeatNanos = properties.node().heartbeatTimeout().toNanos();
    }

    @Override
    public void connect(ConnectReq request, StreamObserver<ConnectReply> reply) {
        Identity identity;
        try {
            identity = authenticator.authenticate(request.getToken().toByteArray(), request.getCookie());
        } catch (AuthenticationException e) {
            metrics.refused(e.reason());
            log.warn(
                    "connect refused server={} reason={} detail={}",
                    request.getServer(),
                    e.reason().tag(),
                    e.getMessage());
            reply.onError(GrpcErrors.status(e).asRuntimeException());
            return;
        }
        // goim: logic makes the key when the token has none
        String key = identity.key().isEmpty() ? UUID.randomUUID().toString() : identity.key();
        ConnectReply connected = ConnectReply.newBuilder()
                .setMid(identity.mid())
                .setKey(key)
                .setRoomID(identity.roomId())
                .addAllAccepts(identity.accepts())
                .setHeartbeat(heartbeatNanos)
                .build();
        reply(
                sessions.add(identity.mid(), key, request.getServer()).handle((done, error) -> {
                    metrics.connected(error == null ? "ok" : "error");
                    if (error != null) {
                        throw error instanceof CompletionException e ? e : new CompletionException(error);
                    }
                    return connected;
                }),
                reply);
        log.debug("connect mid={} key={} server={}", identity.mid(), key, request.getServer());
    }

    @Override
    public void disconnect(DisconnectReq request, StreamObserver<DisconnectReply> reply) {
        reply(
                sessions.delete(request.getMid(), request.getKey(), request.getServer())
                        .handle((has, error) -> {
                            if (error != null) {
                                metrics.disconnected("error");
                                throw error instanceof CompletionException e ? e : new CompletionException(error);
                            }
                            metrics.disconnected(has ? "deleted" : "kept");
                            return DisconnectReply.newBuilder().setHas(has).build();
                        }),
                reply);
    }

    @Override
    public void heartbeat(HeartbeatReq request, StreamObserver<HeartbeatReply> reply) {
        // goim: renew both mappings, and add them again when they are gone
        reply(
                sessions.expireMapping(request.getMid(), request.getKey())
                        .flatMap(has -> has
                                ? Mono.empty()
                                : sessions.addMapping(request.getMid(), request.getKey(), request.getServer()))
                        .thenReturn(HeartbeatReply.getDefaultInstance()),
                reply);
    }

    @Override
    public void renewOnline(OnlineReq request, StreamObserver<OnlineReply> reply) {
        // the sessions' mark first: a comet whose sessions Redis lost writes them again
        reply(
                sessions.markServer(request.getServer())
                        .zipWith(online.renew(request.getServer(), request.getRoomCountMap()))
                        .map(marked -> OnlineReply.newBuilder()
                                .putAllAllRoomCount(marked.getT2())
                                .setRewriteSessions(!marked.getT1())
                                .build()),
                reply);
    }

    @Override
    public void receive(ReceiveReq request, StreamObserver<ReceiveReply> reply) {
        Proto proto = request.getProto();
        // read on the call's thread: the gRPC context does not follow the reactive chain
        UpstreamMessage message = new UpstreamMessage(
                request.getMid(),
                CallerMetadata.KEY.get(),
                CallerMetadata.SERVER.get(),
                proto.getOp(),
                proto.getSeq(),
                proto.getVer(),
                proto.getBody().toByteArray());
        reply(upstream.publish(message).thenReturn(ReceiveReply.getDefaultInstance()), reply);
    }

    @Override
    public void nodes(NodesReq request, StreamObserver<NodesReply> reply) {
        Nodes chosen = nodes.weighted(request.getPlatform(), request.getClientIP());
        reply.onNext(NodesReply.newBuilder()
                .setDomain(chosen.domain())
                .setTcpPort(chosen.tcpPort())
                .setWsPort(chosen.wsPort())
                .setWssPort(chosen.wssPort())
                .setHeartbeat(chosen.heartbeat())
                .setHeartbeatMax(chosen.heartbeatMax())
                .addAllNodes(chosen.nodes())
                .setBackoff(Backoff.newBuilder()
                        .setMaxDelay(chosen.backoff().maxDelay())
                        .setBaseDelay(chosen.backoff().baseDelay())
                        .setFactor(chosen.backoff().factor())
                        .setJitter(chosen.backoff().jitter()))
                .build());
        reply.onCompleted();
    }

    /** Not goim's (issue 15, docs/recovery.md): a connection's missed room and user messages. */
    @Override
    public void recover(RecoverReq request, StreamObserver<RecoverReply> reply) {
        reply(history.recover(request), reply);
    }

    /** Connect and Disconnect, the calls of a reconnect storm, answer without Reactor in between. */
    private static <T> void reply(CompletableFuture<T> result, StreamObserver<T> reply) {
        result.whenComplete((value, error) -> {
            if (error == null) {
                reply.onNext(value);
                reply.onCompleted();
            } else {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                log.warn("logic call failed error={}", cause.toString());
                reply.onError(GrpcErrors.status(cause).asRuntimeException());
            }
        });
    }

    private static <T> void reply(Mono<T> result, StreamObserver<T> reply) {
        result.subscribe(
                value -> {
                    reply.onNext(value);
                    reply.onCompleted();
                },
                error -> {
                    log.warn("logic call failed error={}", error.toString());
                    reply.onError(GrpcErrors.status(error).asRuntimeException());
                });
    }
}
