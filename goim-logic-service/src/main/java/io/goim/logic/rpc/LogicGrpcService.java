package io.goim.logic.rpc;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.session.SessionStore;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReply;
import io.goim.proto.logic.DisconnectReq;
import io.goim.proto.logic.HeartbeatReply;
import io.goim.proto.logic.HeartbeatReq;
import io.goim.proto.logic.LogicGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Connect, Disconnect and Heartbeat as goim's logic does them (contract sections 2, 4 and 6). */
@Service
class LogicGrpcService extends LogicGrpc.LogicImplBase {
    private static final Logger log = LoggerFactory.getLogger(LogicGrpcService.class);

    private final SessionStore sessions;
    private final JsonMapper json;
    private final long heartbeatNanos;

    LogicGrpcService(SessionStore sessions, JsonMapper json, LogicProperties properties) {
        this.sessions = sessions;
        this.json = json;
        this.heartbeatNanos = properties.node().heartbeatTimeout().toNanos();
    }

    @Override
    public void connect(ConnectReq request, StreamObserver<ConnectReply> reply) {
        Token token;
        try {
            token = json.readValue(request.getToken().toByteArray(), Token.class);
        } catch (JacksonException e) {
            log.warn("connect refused server={} reason=bad-token", request.getServer());
            reply.onError(Status.INVALID_ARGUMENT
                    .withDescription("token is not goim's JSON token")
                    .asRuntimeException());
            return;
        }
        String key =
                token.key() == null || token.key().isEmpty() ? UUID.randomUUID().toString() : token.key();
        ConnectReply connected = ConnectReply.newBuilder()
                .setMid(token.mid())
                .setKey(key)
                .setRoomID(Objects.requireNonNullElse(token.roomId(), ""))
                .addAllAccepts(Objects.requireNonNullElse(token.accepts(), List.of()))
                .setHeartbeat(heartbeatNanos)
                .build();
        reply(sessions.addMapping(token.mid(), key, request.getServer()).thenReturn(connected), reply);
        log.debug("connect mid={} key={} server={}", token.mid(), key, request.getServer());
    }

    @Override
    public void disconnect(DisconnectReq request, StreamObserver<DisconnectReply> reply) {
        reply(
                sessions.deleteMapping(request.getMid(), request.getKey())
                        .map(has -> DisconnectReply.newBuilder().setHas(has).build()),
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

    private static <T> void reply(Mono<T> result, StreamObserver<T> reply) {
        result.subscribe(
                value -> {
                    reply.onNext(value);
                    reply.onCompleted();
                },
                error -> {
                    log.warn("session store failed error={}", error.toString());
                    reply.onError(Status.UNAVAILABLE
                            .withDescription("session store: " + error.getMessage())
                            .asRuntimeException());
                });
    }
}
