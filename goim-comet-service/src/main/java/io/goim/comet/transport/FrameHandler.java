package io.goim.comet.transport;

import com.google.protobuf.ByteString;
import io.goim.comet.session.Bucket;
import io.goim.comet.session.Channel;
import io.goim.comet.session.CloseReason;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameDecodeException;
import io.goim.proto.frame.Op;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReq;
import io.goim.proto.logic.HeartbeatReq;
import io.goim.proto.logic.ReceiveReq;
import io.goim.proto.logic.RecoverReply;
import io.goim.proto.logic.RecoverReq;
import io.goim.proto.protocol.Proto;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * goim's connection lifecycle over any transport (contract section 2): op 7 within the handshake
 * timeout, auth through logic's Connect, op 8; then op 2 → 3 with the room's online count, 12 → 13
 * change room, 14 → 15 and 16 → 17 change the accepted operations, and any other op goes to logic's
 * Receive and is echoed with an empty body. Frames other than op 7 before auth are ignored, as goim
 * ignores them. Runs on the connection's event loop.
 */
final class FrameHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);
    private static final long FALLBACK_HEARTBEAT_NANOS = TimeUnit.MINUTES.toNanos(8);

    private enum State {
        HANDSHAKE,
        AUTHENTICATING,
        AUTHENTICATED,
        CLOSED
    }

    private final Connections connections;
    private final Transport transport;
    private final String cookie;
    private final String ip;
    private final ConnectionOutbound outbound;
    private final int maxFramesPerSecond;

    private State state = State.HANDSHAKE;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private long heartbeatTimeoutNanos;
    private long nextLogicHeartbeatNanos;
    private long rateWindowStartNanos;
    private int framesInWindow;
    /** An op 18 sent with the auth, before op 8 (docs/recovery.md); answered once authenticated. */
    private RecoverReq.Builder pendingRecover;

    private int pendingRecoverSeq;
    /** A recover is under way: another op 18 is ignored until it is answered. */
    private boolean recovering;

    FrameHandler(Connections connections, Transport transport, String cookie, String ip, ConnectionOutbound outbound) {
        this.connections = connections;
        this.transport = transport;
        this.cookie = cookie;
        this.ip = ip;
        this.outbound = outbound;
        this.maxFramesPerSecond = connections.properties().limits().maxFramesPerSecond();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long handshake = connections.properties().protocol().handshakeTimeout().toNanos();
        timer = ctx.executor()
                .schedule(
                        () -> {
                            if (state == State.HANDSHAKE || state == State.AUTHENTICATING) {
                                outbound.close(CloseReason.HANDSHAKE_TIMEOUT);
                            }
                        },
                        handshake,
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            if (msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                io.netty.util.ReferenceCountUtil.release(msg);
                outbound.close(CloseReason.UNSUPPORTED_MESSAGE);
                return;
            }
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            connections.metrics().frameIn(transport);
            if (overRate()) {
                outbound.close(CloseReason.FRAME_RATE);
                return;
            }
            switch (state) {
                case HANDSHAKE -> {
                    if (frame.op() == Op.AUTH) {
                        authenticate(ctx, frame);
                    }
                }
                case AUTHENTICATED -> operate(ctx, frame);
                case AUTHENTICATING -> {
                    // the recover sent right after the auth (docs/recovery.md): kept until op 8
                    if (frame.op() == Op.RECOVER && pendingRecover == null) {
                        pendingRecover = Recover.parse(frame.content());
                        pendingRecoverSeq = frame.seq();
                        if (pendingRecover == null) {
                            outbound.close(CloseReason.BAD_RECOVER);
                        }
                    }
                }
                default -> {
                    // AUTHENTICATING or CLOSED: ignored, as goim ignores frames before auth
                }
            }
        } finally {
            frame.release();
        }
    }

    private boolean overRate() {
        if (maxFramesPerSecond <= 0) {
            return false;
        }
        long now = System.nanoTime();
        if (now - rateWindowStartNanos >= TimeUnit.SECONDS.toNanos(1)) {
            rateWindowStartNanos = now;
            framesInWindow = 0;
        }
        return ++framesInWindow > maxFramesPerSecond;
    }

    private void authenticate(ChannelHandlerContext ctx, Frame auth) {
        state = State.AUTHENTICATING;
        int seq = auth.seq();
        ConnectReq request = ConnectReq.newBuilder()
                .setServer(connections.properties().server())
                .setCookie(cookie)
                .setToken(ByteString.copyFrom(ByteBufUtil.getBytes(auth.content())))
                .build();
        connections
                .logic()
                .connect(request, () -> ctx.channel().isActive())
                .whenComplete((reply, error) -> ctx.executor().execute(() -> {
                    if (error == null) {
                        authenticated(ctx, reply, seq);
                    } else if (!ctx.channel().isActive()) {
                        // the client left while its call waited or ran: nobody to refuse
                        connections.metrics().auth("abandoned");
                        log.debug(
                                "auth abandoned remote={} error={}",
                                ctx.channel().remoteAddress(),
                                error.getMessage());
                    } else {
                        refused(ctx, error);
                    }
                }));
    }

    private void refused(ChannelHandlerContext ctx, Throwable error) {
        Status.Code code = error instanceof StatusRuntimeException status
                ? status.getStatus().getCode()
                : Status.Code.UNKNOWN;
        boolean unavailable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
        connections.metrics().auth(unavailable ? "unavailable" : "refused");
        log.warn("auth failed remote={} code={} error={}", ctx.channel().remoteAddress(), code, error.getMessage());
        outbound.close(unavailable ? CloseReason.LOGIC_UNAVAILABLE : CloseReason.AUTH_FAILED);
    }

    private void authenticated(ChannelHandlerContext ctx, ConnectReply reply, int seq) {
        channel = new Channel(reply.getMid(), reply.getKey(), reply.getRoomID(), reply.getAcceptsList(), ip, outbound);
        if (state == State.CLOSED || !ctx.channel().isActive()) {
            // the client left while logic was connecting it: undo the session logic just made
            disconnect();
            return;
        }
        state = State.AUTHENTICATED;
        connections.authenticated(ctx.channel());
        connections.metrics().auth("ok");
        if (pendingRecover != null) {
            // held from before the channel joins its room: nothing live reaches the client before op 19
            channel.hold();
            channel.userStream(true);
        }
        Channel older = connections.buckets().bucket(channel.key()).put(channel);
        if (older != null) {
            older.close(CloseReason.REPLACED);
        }
        ctx.writeAndFlush(Frame.empty(Op.AUTH_REPLY, seq));
        heartbeatTimeoutNanos = reply.getHeartbeat() > 0 ? reply.getHeartbeat() : FALLBACK_HEARTBEAT_NANOS;
        nextLogicHeartbeatNanos = System.nanoTime() + logicHeartbeatInterval();
        scheduleHeartbeatTimeout(ctx);
        if (pendingRecover != null) {
            RecoverReq.Builder asked = pendingRecover;
            pendingRecover = null;
            recover(ctx, asked, pendingRecoverSeq);
        }
        log.debug(
                "auth ok mid={} key={} room={} transport={}",
                channel.mid(),
                channel.key(),
                channel.roomId(),
                transport.tag());
    }

    private void operate(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.op()) {
            case Op.HEARTBEAT -> heartbeat(ctx, frame.seq());
            case Op.CHANGE_ROOM -> {
                bucket().changeRoom(channel, text(frame));
                ctx.writeAndFlush(Frame.empty(Op.CHANGE_ROOM_REPLY, frame.seq()));
            }
            case Op.SUB -> {
                ops(frame, true);
                ctx.writeAndFlush(Frame.empty(Op.SUB_REPLY, frame.seq()));
            }
            case Op.UNSUB -> {
                ops(frame, false);
                ctx.writeAndFlush(Frame.empty(Op.UNSUB_REPLY, frame.seq()));
            }
            case Op.RECOVER -> {
                RecoverReq.Builder asked = Recover.parse(frame.content());
                if (asked == null) {
                    outbound.close(CloseReason.BAD_RECOVER);
                } else if (!recovering) {
                    recover(ctx, asked, frame.seq());
                }
            }
            default -> {
                receive(frame);
                // goim acknowledges an upstream message by echoing its header with an empty body
                ctx.writeAndFlush(new Frame(frame.ver(), frame.op(), frame.seq(), Unpooled.EMPTY_BUFFER));
            }
        }
    }

    /**
     * op 18 (docs/recovery.md): hold the channel's room and user deliveries, ask logic for both
     * streams, then write op 19, the missed messages, and the held ones the client has not had.
     */
    private void recover(ChannelHandlerContext ctx, RecoverReq.Builder asked, int seq) {
        recovering = true;
        channel.hold();
        channel.userStream(true);
        String roomId = channel.roomId();
        RecoverReq request = asked.setServer(connections.properties().server())
                .setKey(channel.key())
                .setMid(channel.mid())
                .setRoom(roomId)
                .build();
        connections
                .logic()
                .recover(request)
                .whenComplete((reply, error) -> ctx.executor().execute(() -> {
                    recovering = false;
                    recovered(ctx, request, seq, roomId, reply, error);
                }));
    }

    private void recovered(
            ChannelHandlerContext ctx, RecoverReq asked, int seq, String roomId, RecoverReply reply, Throwable error) {
        List<Frame> held = channel.release();
        try {
            if (state != State.AUTHENTICATED || !ctx.channel().isActive()) {
                return;
            }
            if (error != null) {
                log.warn("recover failed mid={} key={} error={}", channel.mid(), channel.key(), error.toString());
                outbound.close(CloseReason.RECOVER_FAILED);
                return;
            }
            byte[] json = Recover.reply(asked, roomId, reply.getRoom(), reply.getUser());
            ctx.write(new Frame(Frame.VERSION, Op.RECOVER_REPLY, seq, Unpooled.wrappedBuffer(json)));
            if (reply.getRoom().getRecovered() && !reply.getRoom().getFrames().isEmpty()) {
                writeNow(
                        ctx,
                        Op.RAW,
                        Unpooled.wrappedBuffer(reply.getRoom().getFrames().asReadOnlyByteBuffer()));
            }
            if (reply.getUser().getRecovered() && !reply.getUser().getFrames().isEmpty()) {
                writeNow(
                        ctx,
                        Op.USER_RAW,
                        Unpooled.wrappedBuffer(reply.getUser().getFrames().asReadOnlyByteBuffer()));
            }
            // held deliveries: only what the client has not had; those at or below the position in
            // op 19 were stored before logic read them, so they were among the missed ones
            long roomAfter = asked.getRoomAsked() ? reply.getRoom().getOffset() : -1;
            long userAfter = asked.getUserAsked() ? reply.getUser().getOffset() : -1;
            for (Frame frame : held) {
                long after = frame.op() == Op.USER_RAW ? userAfter : roomAfter;
                if (after < 0) {
                    writeNow(ctx, frame.op(), frame.content().retainedDuplicate());
                    continue;
                }
                ByteBuf newer = Recover.newerThan(ctx.alloc(), frame.content(), after);
                if (newer != null) {
                    writeNow(ctx, frame.op(), newer);
                }
            }
            ctx.flush();
            log.debug(
                    "recovered mid={} key={} room={} room_recovered={} user_recovered={} held={}",
                    channel.mid(),
                    channel.key(),
                    roomId,
                    reply.getRoom().getRecovered(),
                    reply.getUser().getRecovered(),
                    held.size());
        } finally {
            held.forEach(Frame::release);
        }
    }

    /**
     * A delivery written past the push queue's limits: the missed messages are bounded by the
     * history's size and the held ones by {@link Channel#MAX_HELD}, and dropping one would be a gap.
     */
    private void writeNow(ChannelHandlerContext ctx, int op, ByteBuf body) {
        Frame frame = new Frame(Frame.VERSION, op, 0, body);
        ByteBuf wire = outbound.encode(frame);
        frame.release();
        ctx.write(wire);
    }

    private void heartbeat(ChannelHandlerContext ctx, int seq) {
        scheduleHeartbeatTimeout(ctx);
        long now = System.nanoTime();
        int online = connections.online().count(channel.roomId(), connections.buckets());
        ctx.writeAndFlush(new Frame(
                Frame.VERSION, Op.HEARTBEAT_REPLY, seq, ctx.alloc().buffer(4, 4).writeInt(online)));
        if (now - nextLogicHeartbeatNanos >= 0) {
            // goim renews the session in logic at most once per random 10-30 minutes per connection
            nextLogicHeartbeatNanos = now + logicHeartbeatInterval();
            HeartbeatReq request = HeartbeatReq.newBuilder()
                    .setMid(channel.mid())
                    .setKey(channel.key())
                    .setServer(connections.properties().server())
                    .build();
            connections.logic().heartbeat(request).whenComplete((reply, error) -> {
                if (error != null) {
                    log.warn(
                            "heartbeat to logic failed mid={} key={} error={}",
                            channel.mid(),
                            channel.key(),
                            error.toString());
                }
            });
        }
    }

    private long logicHeartbeatInterval() {
        long min = connections.properties().protocol().logicHeartbeatMin().toNanos();
        long max = connections.properties().protocol().logicHeartbeatMax().toNanos();
        return max > min ? ThreadLocalRandom.current().nextLong(min, max) : min;
    }

    private void ops(Frame frame, boolean add) {
        for (String op : text(frame).split(",")) {
            try {
                int parsed = Integer.parseInt(op.trim());
                if (add) {
                    channel.accept(parsed);
                } else {
                    channel.refuse(parsed);
                }
            } catch (NumberFormatException ignored) {
                // goim skips what does not parse as an operation
            }
        }
    }

    private void receive(Frame frame) {
        ReceiveReq request = ReceiveReq.newBuilder()
                .setMid(channel.mid())
                .setProto(Proto.newBuilder()
                        .setVer(frame.ver())
                        .setOp(frame.op())
                        .setSeq(frame.seq())
                        .setBody(ByteString.copyFrom(ByteBufUtil.getBytes(frame.content()))))
                .build();
        connections
                .logic()
                .receive(request, channel.key(), connections.properties().server())
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        log.warn(
                                "receive to logic failed mid={} op={} error={}",
                                channel.mid(),
                                frame.op(),
                                error.toString());
                    }
                });
    }

    private static String text(Frame frame) {
        return frame.content().toString(StandardCharsets.UTF_8);
    }

    private Bucket bucket() {
        return connections.buckets().bucket(channel.key());
    }

    /** (Re)starts the heartbeat timeout, as goim resets its timer on every heartbeat. */
    private void scheduleHeartbeatTimeout(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = ctx.executor()
                .schedule(
                        () -> outbound.close(CloseReason.HEARTBEAT_TIMEOUT),
                        heartbeatTimeoutNanos,
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        if (timer != null) {
            timer.cancel(false);
        }
        if (channel != null) {
            channel.release().forEach(Frame::release);
        }
        // a channel replaced by a newer one with the same key no longer owns the session in logic:
        // its Disconnect would remove the newer connection's mapping (goim 2.0 loses it there)
        if (was == State.AUTHENTICATED && bucket().remove(channel)) {
            disconnect();
        }
        ctx.fireChannelInactive();
    }

    private void disconnect() {
        DisconnectReq request = DisconnectReq.newBuilder()
                .setMid(channel.mid())
                .setKey(channel.key())
                .setServer(connections.properties().server())
                .build();
        connections.logic().disconnect(request).whenComplete((reply, error) -> {
            if (error != null) {
                log.warn("disconnect failed mid={} key={} error={}", channel.mid(), channel.key(), error.toString());
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            // the client left in the middle of a fragmented message: nothing to close, nothing to count
            log.debug("closed mid-message remote={}", ctx.channel().remoteAddress());
        } else if (isBadInput(cause)) {
            log.debug("bad frame remote={} error={}", ctx.channel().remoteAddress(), cause.getMessage());
            outbound.close(CloseReason.BAD_FRAME);
        } else if (cause instanceof IOException) {
            // reset or broken pipe: the client left; counted, and logged as a summary (ConnectionErrors)
            connections.errors().clientGone(ctx.channel().remoteAddress(), cause);
            outbound.close(CloseReason.CLIENT_GONE);
        } else {
            connections.errors().internal(ctx.channel().remoteAddress(), cause);
            outbound.close(CloseReason.INTERNAL_ERROR);
        }
    }

    /**
     * What the client sent broke a rule of goim's frame (contract section 2) or of WebSocket (RFC 6455:
     * a bad frame, a message over the frame limit, whole or in fragments): a bad frame, the client's
     * fault, not an internal error. Netty's WebSocket decoder has already sent its own close code
     * (1002, 1007 or 1009) where it found the fault.
     */
    static boolean isBadInput(Throwable cause) {
        return cause instanceof FrameDecodeException
                || cause instanceof CorruptedWebSocketFrameException
                || cause instanceof TooLongFrameException;
    }
}
