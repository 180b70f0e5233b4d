package io.goim.job;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.goim.proto.comet.BroadcastReply;
import io.goim.proto.comet.BroadcastReq;
import io.goim.proto.comet.BroadcastRoomReply;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.CometGrpc;
import io.goim.proto.comet.PushMsgReply;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.goim.proto.protocol.Proto;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server implementing goim's Comet service (contract section 6) that records what it
 * accepts, and can refuse the next N calls with UNAVAILABLE, as a comet that is restarting would.
 */
final class FakeComet extends CometGrpc.CometImplBase implements AutoCloseable {
    final String server;
    final List<PushMsgReq> pushes = new CopyOnWriteArrayList<>();
    final List<BroadcastReq> broadcasts = new CopyOnWriteArrayList<>();
    final List<BroadcastRoomReq> rooms = new CopyOnWriteArrayList<>();
    final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger toRefuse = new AtomicInteger();
    private final Server grpc;

    FakeComet(String server) throws Exception {
        this.server = server;
        this.grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(this)
                .build()
                .start();
    }

    int port() {
        return grpc.getPort();
    }

    /** Refuses the next {@code calls} calls; 0 makes it healthy again. */
    void refuseNext(int calls) {
        toRefuse.set(calls);
    }

    @Override
    public void pushMsg(PushMsgReq request, StreamObserver<PushMsgReply> reply) {
        if (!refused(reply)) {
            pushes.add(request);
            reply.onNext(PushMsgReply.getDefaultInstance());
            reply.onCompleted();
        }
    }

    @Override
    public void broadcast(BroadcastReq request, StreamObserver<BroadcastReply> reply) {
        if (!refused(reply)) {
            broadcasts.add(request);
            reply.onNext(BroadcastReply.getDefaultInstance());
            reply.onCompleted();
        }
    }

    @Override
    public void broadcastRoom(BroadcastRoomReq request, StreamObserver<BroadcastRoomReply> reply) {
        if (!refused(reply)) {
            rooms.add(request);
            reply.onNext(BroadcastRoomReply.getDefaultInstance());
            reply.onCompleted();
        }
    }

    /** The messages of one room in the order this comet received them. */
    List<String> roomMessages(String room) {
        List<String> out = new ArrayList<>();
        rooms.stream().filter(r -> r.getRoomID().equals(room)).forEach(r -> out.addAll(inner(r.getProto())));
        return out;
    }

    /** The op-9 body as "op:text" per inner frame (contract section 2). */
    static List<String> inner(Proto proto) {
        if (proto.getOp() != 9 || proto.getVer() != 1) {
            throw new AssertionError("not an op-9 proto: " + proto);
        }
        List<String> out = new ArrayList<>();
        for (Frame frame : Frames.decodeAll(proto.getBody().toByteArray())) {
            try {
                out.add(frame.op() + ":" + frame.content().toString(UTF_8));
            } finally {
                frame.release();
            }
        }
        return out;
    }

    private boolean refused(StreamObserver<?> reply) {
        if (toRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            refused.incrementAndGet();
            reply.onError(
                    Status.UNAVAILABLE.withDescription(server + " refuses").asRuntimeException());
            return true;
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
