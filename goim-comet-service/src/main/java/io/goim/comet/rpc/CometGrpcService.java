package io.goim.comet.rpc;

import io.goim.comet.session.Bucket;
import io.goim.comet.session.Buckets;
import io.goim.comet.session.Channel;
import io.goim.proto.comet.BroadcastRoomReply;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.CometGrpc;
import io.goim.proto.comet.PushMsgReply;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.comet.RoomsReply;
import io.goim.proto.comet.RoomsReq;
import io.goim.proto.frame.Frame;
import io.goim.proto.protocol.Proto;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.Unpooled;
import org.springframework.stereotype.Service;

/**
 * The Comet service job calls (contract section 6). A pushed Proto is wrapped once and written to
 * every recipient as a retained duplicate: the payload is never copied per connection.
 */
@Service
class CometGrpcService extends CometGrpc.CometImplBase {
    private final Buckets buckets;

    CometGrpcService(Buckets buckets) {
        this.buckets = buckets;
    }

    /** Push to connection keys, only to channels that accept {@code protoOp}. */
    @Override
    public void pushMsg(PushMsgReq request, StreamObserver<PushMsgReply> reply) {
        Frame frame = frame(request.getProto());
        try {
            for (String key : request.getKeysList()) {
                Channel channel = buckets.channel(key);
                if (channel != null && channel.accepts(request.getProtoOp())) {
                    channel.push(frame.retainedDuplicate());
                }
            }
        } finally {
            frame.release();
        }
        reply.onNext(PushMsgReply.getDefaultInstance());
        reply.onCompleted();
    }

    /** Push to every channel in a room, whatever it accepts (goim). */
    @Override
    public void broadcastRoom(BroadcastRoomReq request, StreamObserver<BroadcastRoomReply> reply) {
        Frame frame = frame(request.getProto());
        try {
            for (Bucket bucket : buckets.all()) {
                bucket.forEachInRoom(request.getRoomID(), channel -> channel.push(frame.retainedDuplicate()));
            }
        } finally {
            frame.release();
        }
        reply.onNext(BroadcastRoomReply.getDefaultInstance());
        reply.onCompleted();
    }

    @Override
    public void rooms(RoomsReq request, StreamObserver<RoomsReply> reply) {
        RoomsReply.Builder rooms = RoomsReply.newBuilder();
        buckets.roomIds().forEach(id -> rooms.putRooms(id, true));
        reply.onNext(rooms.build());
        reply.onCompleted();
    }

    private static Frame frame(Proto proto) {
        // wraps the protobuf's bytes without copying them
        return new Frame(
                proto.getVer(),
                proto.getOp(),
                proto.getSeq(),
                Unpooled.wrappedBuffer(proto.getBody().asReadOnlyByteBuffer()));
    }
}
