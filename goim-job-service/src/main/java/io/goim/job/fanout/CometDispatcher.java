package io.goim.job.fanout;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.goim.proto.comet.BroadcastReq;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameBatch;
import io.goim.proto.frame.Op;
import io.goim.proto.logic.PushMsg;
import io.goim.proto.protocol.Proto;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/**
 * Turns pushes into Comet gRPC calls (contract sections 2, 6 and 7) and queues them on the lanes of
 * the comets addressed. Every call carries an op-9 Proto whose body is whole inner frames, built
 * once per push however many comets receive it. Nothing here blocks: the returned future completes
 * when every comet addressed accepted the call or gave it up.
 */
@Component
public final class CometDispatcher {
    private final CometRegistry comets;
    private final MeterRegistry meters;

    CometDispatcher(CometRegistry comets, MeterRegistry meters) {
        this.comets = comets;
        this.meters = meters;
    }

    /** PUSH: to the keys on the comet named in {@code server}, with protoOp for the accepts filter. */
    public CompletableFuture<Delivery> push(PushMsg msg) {
        Optional<CometLane> lane = comets.lane(msg.getServer());
        if (lane.isEmpty()) {
            if (comets.departed(msg.getServer())) {
                // it left discovery, its connections with it (the session outlived it): skipped, counted
                meters.counter("goim.job.comet.unreachable", "server", msg.getServer())
                        .increment();
                return CompletableFuture.completedFuture(Delivery.ACCEPTED);
            }
            // never seen (or not yet in job's view): its connections are unreachable; dead-letter, counted
            return CompletableFuture.completedFuture(Delivery.failed(List.of(msg.getServer())));
        }
        PushMsgReq request = PushMsgReq.newBuilder()
                .addAllKeys(msg.getKeysList())
                // the user-stream offsets of pushes by mids (docs/recovery.md), index for index with keys
                .addAllSeqs(msg.getSeqsList())
                .setProtoOp(msg.getOperation())
                .setProto(raw(FrameBatch.of(msg.getOperation(), msg.getMsg().toByteArray())))
                .build();
        // one connection's pushes stay in order; goim's job spreads them over its 32 routines in turn
        int order = msg.getKeysCount() > 0 ? msg.getKeys(0).hashCode() : 0;
        return send(List.of(lane.get()), new CometCall("PushMsg", order, stub -> stub.pushMsg(request)));
    }

    /** BROADCAST: to every comet, each walking its buckets at speed / number of comets (goim). */
    public CompletableFuture<Delivery> broadcast(PushMsg msg) {
        List<CometLane> lanes = comets.lanes();
        if (lanes.isEmpty()) {
            return CompletableFuture.completedFuture(Delivery.ACCEPTED);
        }
        BroadcastReq request = BroadcastReq.newBuilder()
                .setProtoOp(msg.getOperation())
                .setSpeed(msg.getSpeed() / lanes.size())
                .setProto(raw(FrameBatch.of(msg.getOperation(), msg.getMsg().toByteArray())))
                .build();
        return send(lanes, new CometCall("Broadcast", 0, stub -> stub.broadcast(request)));
    }

    /** ROOM: one merged body (whole inner frames back to back) to every comet. */
    public CompletableFuture<Delivery> broadcastRoom(String room, byte[] frames) {
        BroadcastRoomReq request = BroadcastRoomReq.newBuilder()
                .setRoomID(room)
                .setProto(raw(frames))
                .build();
        return send(
                comets.lanes(), new CometCall("BroadcastRoom", room.hashCode(), stub -> stub.broadcastRoom(request)));
    }

    private static Proto raw(byte[] frames) {
        // the array is ours and never written again: wrap it instead of copying it
        ByteString body = UnsafeByteOperations.unsafeWrap(frames);
        return Proto.newBuilder()
                .setVer(Frame.VERSION)
                .setOp(Op.RAW)
                .setBody(body)
                .build();
    }

    private static CompletableFuture<Delivery> send(List<CometLane> lanes, CometCall call) {
        List<CompletableFuture<CallOutcome>> calls = new ArrayList<>(lanes.size());
        for (CometLane lane : lanes) {
            calls.add(lane.submit(call));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<String> failed = new ArrayList<>();
            boolean abandoned = false;
            for (int i = 0; i < calls.size(); i++) {
                CallOutcome outcome = calls.get(i).join();
                abandoned |= outcome == CallOutcome.ABANDONED;
                if (outcome == CallOutcome.FAILED) {
                    failed.add(lanes.get(i).comet().server());
                }
            }
            return abandoned ? Delivery.ABANDONED : failed.isEmpty() ? Delivery.ACCEPTED : Delivery.failed(failed);
        });
    }
}
