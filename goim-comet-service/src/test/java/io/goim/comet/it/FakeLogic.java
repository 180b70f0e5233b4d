package io.goim.comet.it;

import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReply;
import io.goim.proto.logic.DisconnectReq;
import io.goim.proto.logic.HeartbeatReply;
import io.goim.proto.logic.HeartbeatReq;
import io.goim.proto.logic.LogicGrpc;
import io.goim.proto.logic.OnlineReply;
import io.goim.proto.logic.OnlineReq;
import io.goim.proto.logic.ReceiveReply;
import io.goim.proto.logic.ReceiveReq;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real gRPC server implementing goim's Logic service the way logic does for goim's JSON token,
 * recording every call. A token whose key starts with "short-hb" gets a 1 s heartbeat timeout; a mid
 * of -1 is refused. RenewOnline answers ten times the counts it was sent.
 */
final class FakeLogic extends LogicGrpc.LogicImplBase implements AutoCloseable {
    final List<ConnectReq> connects = new CopyOnWriteArrayList<>();
    final List<DisconnectReq> disconnects = new CopyOnWriteArrayList<>();
    final List<HeartbeatReq> heartbeats = new CopyOnWriteArrayList<>();
    final List<OnlineReq> onlines = new CopyOnWriteArrayList<>();
    /** RenewOnline answers that the comet's sessions are missing (logic found Redis without them). */
    volatile boolean rewriteSessions;

    final List<ReceiveReq> receives = new CopyOnWriteArrayList<>();
    /** The goim-key header of each Receive, in order. */
    final List<String> receiveKeys = new CopyOnWriteArrayList<>();

    /** How long Connect takes to answer; 0: at once. */
    volatile long connectDelayMillis;
    /** Connect calls under way now, and the most there ever were at once. */
    final java.util.concurrent.atomic.AtomicInteger connectsNow = new java.util.concurrent.atomic.AtomicInteger();

    final java.util.concurrent.atomic.AtomicInteger connectsAtOnce = new java.util.concurrent.atomic.AtomicInteger();

    private final java.util.concurrent.ScheduledExecutorService delays =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    private static final io.grpc.Context.Key<String> KEY = io.grpc.Context.key("goim-key");
    private final JsonMapper json = JsonMapper.builder().build();
    private final Server server;

    private FakeLogic() {
        try {
            server = ServerBuilder.forPort(0)
                    .addService(io.grpc.ServerInterceptors.intercept(this, new HeaderCapture()))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FakeLogic start() {
        return new FakeLogic();
    }

    int port() {
        return server.getPort();
    }

    /** Recover calls, in order. */
    final List<io.goim.proto.logic.RecoverReq> recovers = new CopyOnWriteArrayList<>();
    /** What Recover answers, and when: the test completes it (default: not recovered at once). */
    volatile java.util.function.Function<
                    io.goim.proto.logic.RecoverReq,
                    java.util.concurrent.CompletableFuture<io.goim.proto.logic.RecoverReply>>
            recoverAnswer = request -> java.util.concurrent.CompletableFuture.completedFuture(
            io.goim.proto.logic.RecoverReply.getDefaultInstance());

    @Override
    public void recover(
            io.goim.proto.logic.RecoverReq request, StreamObserver<io.goim.proto.logic.RecoverReply> reply) {
        recovers.add(request);
        recoverAnswer.apply(request).whenComplete((answer, error) -> {
            if (error != null) {
                reply.onError(io.grpc.Status.UNAVAILABLE
                        .withDescription(error.toString())
                        .asRuntimeException());
            } else {
                reply.onNext(answer);
                reply.onCompleted();
            }
        });
    }

    @Override
    public void connect(ConnectReq request, StreamObserver<ConnectReply> reply) {
        connects.add(request);
        JsonNode token;
        try {
            token = json.readTree(request.getToken().toStringUtf8());
        } catch (RuntimeException e) {
            reply.onError(Status.INVALID_ARGUMENT.withDescription("bad token").asRuntimeException());
            return;
        }
        long mid = token.path("mid").asLong();
        if (mid == -1) {
            reply.onError(Status.PERMISSION_DENIED.withDescription("refused").asRuntimeException());
            return;
        }
        String key = token.path("key").asString("");
        if (key.isEmpty()) {
            key = UUID.randomUUID().toString();
        }
        ConnectReply.Builder connected = ConnectReply.newBuilder()
                .setMid(mid)
                .setKey(key)
                .setRoomID(token.path("room_id").asString(""))
                .setHeartbeat(key.startsWith("short-hb") ? TimeUnit.SECONDS.toNanos(1) : TimeUnit.MINUTES.toNanos(8));
        token.path("accepts").forEach(op -> connected.addAccepts(op.asInt()));
        long delay = connectDelayMillis;
        if (delay == 0) {
            reply.onNext(connected.build());
            reply.onCompleted();
            return;
        }
        connectsAtOnce.accumulateAndGet(connectsNow.incrementAndGet(), Math::max);
        delays.schedule(
                () -> {
                    connectsNow.decrementAndGet();
                    reply.onNext(connected.build());
                    reply.onCompleted();
                },
                delay,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void disconnect(DisconnectReq request, StreamObserver<DisconnectReply> reply) {
        disconnects.add(request);
        reply.onNext(DisconnectReply.newBuilder().setHas(true).build());
        reply.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatReq request, StreamObserver<HeartbeatReply> reply) {
        heartbeats.add(request);
        reply.onNext(HeartbeatReply.getDefaultInstance());
        reply.onCompleted();
    }

    @Override
    public void renewOnline(OnlineReq request, StreamObserver<OnlineReply> reply) {
        onlines.add(request);
        OnlineReply.Builder all = OnlineReply.newBuilder();
        for (Map.Entry<String, Integer> room : request.getRoomCountMap().entrySet()) {
            all.putAllRoomCount(room.getKey(), room.getValue() * 10);
        }
        all.setRewriteSessions(rewriteSessions);
        reply.onNext(all.build());
        reply.onCompleted();
    }

    @Override
    public void receive(ReceiveReq request, StreamObserver<ReceiveReply> reply) {
        receives.add(request);
        receiveKeys.add(String.valueOf(KEY.get()));
        reply.onNext(ReceiveReply.getDefaultInstance());
        reply.onCompleted();
    }

    /** Puts the goim-key header into the call's context. */
    private static final class HeaderCapture implements io.grpc.ServerInterceptor {
        @Override
        public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                io.grpc.ServerCall<Q, R> call, io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
            String key = headers.get(io.grpc.Metadata.Key.of("goim-key", io.grpc.Metadata.ASCII_STRING_MARSHALLER));
            return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(KEY, key), call, headers, next);
        }
    }

    @Override
    public void close() throws InterruptedException {
        delays.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
