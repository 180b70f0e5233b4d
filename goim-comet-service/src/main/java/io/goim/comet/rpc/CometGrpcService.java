package io.goim.comet.rpc;

import io.goim.comet.session.Bucket;
import io.goim.comet.session.Buckets;
import io.goim.comet.session.Channel;
import io.goim.comet.session.Fanout;
import io.goim.comet.transport.CometMetrics;
import io.goim.proto.comet.BroadcastReply;
import io.goim.proto.comet.BroadcastReq;
import io.goim.proto.comet.BroadcastRoomReply;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.CometGrpc;
import io.goim.proto.comet.PushMsgReply;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.comet.RoomsReply;
import io.goim.proto.comet.RoomsReq;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Op;
import io.goim.proto.protocol.Proto;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * The Comet service job calls (contract section 6). A pushed Proto is wrapped once (no copy of the
 * protobuf's bytes) and each recipient gets a retained duplicate, one write task per event loop.
 */
@Service
class CometGrpcService extends CometGrpc.CometImplBase implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(CometGrpcService.class);

    private final Buckets buckets;
    private final CometMetrics metrics;
    // walks buckets for broadcasts with a speed; one thread, so broadcasts keep their order
    private final ScheduledExecutorService broadcasts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("goim-broadcast").daemon().factory());

    CometGrpcService(Buckets buckets, CometMetrics metrics) {
        this.buckets = buckets;
        this.metrics = metrics;
    }

    /**
     * Push to connection keys, only to channels that accept {@code protoOp}. A push by mids carries
     * each key's user offset ({@code seqs}): a channel that sent op 18 gets it as op 20 with that
     * offset (docs/recovery.md), the others exactly as goim sends it.
     */
    @Override
    public void pushMsg(PushMsgReq request, StreamObserver<PushMsgReply> reply) {
        Fanout fanout = new Fanout();
        boolean numbered = request.getSeqsCount() == request.getKeysCount() && request.getSeqsCount() > 0;
        for (int i = 0; i < request.getKeysCount(); i++) {
            Channel channel = buckets.channel(request.getKeys(i));
            if (channel == null || !channel.accepts(request.getProtoOp())) {
                continue;
            }
            if (numbered && channel.userStream()) {
                deliverUser(channel, request.getProto(), request.getSeqs(i));
            } else {
                fanout.add(channel);
            }
        }
        int channels = fanout.size();
        fanout.write(frame(request.getProto()), nanos -> metrics.fanout("push", channels, nanos));
        reply.onNext(PushMsgReply.getDefaultInstance());
        reply.onCompleted();
    }

    /** op 20 for one channel: the inner frames with the user offset (docs/recovery.md). */
    private static void deliverUser(Channel channel, Proto proto, int seq) {
        ByteBuf inner = Unpooled.copiedBuffer(proto.getBody().asReadOnlyByteBuffer());
        for (int at = 0;
                at + Frame.HEADER_LENGTH <= inner.writerIndex();
                at += Math.max(inner.getInt(at), Frame.HEADER_LENGTH)) {
            inner.setInt(at + 12, seq);
        }
        Frame frame = new Frame(Frame.VERSION, Op.USER_RAW, 0, inner);
        try {
            channel.executor().execute(() -> channel.deliver(frame));
        } catch (RuntimeException rejected) {
            frame.release();
        }
    }

    /** Push to every channel in a room, whatever it accepts (goim); a recovering channel holds it. */
    @Override
    public void broadcastRoom(BroadcastRoomReq request, StreamObserver<BroadcastRoomReply> reply) {
        Fanout fanout = new Fanout(true);
        buckets.forEachShareInRoom(request.getRoomID(), fanout::addAll);
        int channels = fanout.size();
        fanout.write(frame(request.getProto()), nanos -> metrics.fanout("room", channels, nanos));
        reply.onNext(BroadcastRoomReply.getDefaultInstance());
        reply.onCompleted();
    }

    /**
     * Push to every channel that accepts {@code protoOp}, bucket by bucket. With a speed, comet pauses
     * after each bucket so that it pushes about {@code speed} channels per second (goim); the call
     * returns at once, as goim's does.
     */
    @Override
    public void broadcast(BroadcastReq request, StreamObserver<BroadcastReply> reply) {
        Frame frame = frame(request.getProto());
        try {
            broadcasts.execute(() -> walk(frame, request.getProtoOp(), request.getSpeed(), 0));
        } catch (RuntimeException rejected) {
            frame.release();
            throw rejected;
        }
        reply.onNext(BroadcastReply.getDefaultInstance());
        reply.onCompleted();
    }

    private void walk(Frame frame, int protoOp, int speed, int index) {
        try {
            Bucket bucket = buckets.get(index);
            Fanout fanout = new Fanout();
            bucket.forEach(channel -> {
                if (channel.accepts(protoOp)) {
                    fanout.add(channel);
                }
            });
            fanout.write(frame.retainedDuplicate());
            if (index + 1 == buckets.size()) {
                frame.release();
                return;
            }
            long pauseMicros = speed > 0 ? fanout.size() * 1_000_000L / speed : 0;
            broadcasts.schedule(() -> walk(frame, protoOp, speed, index + 1), pauseMicros, TimeUnit.MICROSECONDS);
        } catch (RuntimeException e) {
            frame.release();
            log.warn("broadcast stopped bucket={} error={}", index, e.toString());
        }
    }

    @Override
    public void rooms(RoomsReq request, StreamObserver<RoomsReply> reply) {
        RoomsReply.Builder rooms = RoomsReply.newBuilder();
        buckets.roomCounts().keySet().forEach(id -> rooms.putRooms(id, true));
        reply.onNext(rooms.build());
        reply.onCompleted();
    }

    private static Frame frame(Proto proto) {
        return new Frame(
                proto.getVer(),
                proto.getOp(),
                proto.getSeq(),
                Unpooled.wrappedBuffer(proto.getBody().asReadOnlyByteBuffer()));
    }

    @Override
    public void destroy() {
        broadcasts.shutdownNow();
    }
}
