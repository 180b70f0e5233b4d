package io.goim.comet.transport;

import com.google.protobuf.ByteString;
import io.goim.comet.rpc.LogicClient;
import io.goim.comet.session.Buckets;
import io.goim.comet.session.Channel;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameDecodeException;
import io.goim.proto.frame.Op;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.DisconnectReq;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * goim's connection lifecycle over any transport (contract section 2): op 7 within the handshake
 * timeout, auth through logic's Connect, op 8, then heartbeats (op 2 → op 3 with the room's
 * online count) within the heartbeat timeout; Disconnect to logic on close. Frames other than op 7
 * before auth are ignored, as goim ignores them. Runs on the connection's event loop.
 */
public final class FrameHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

    private enum State {
        HANDSHAKE,
        AUTHENTICATING,
        AUTHENTICATED,
        CLOSED
    }

    private final String server;
    private final String cookie;
    private final Duration handshakeTimeout;
    private final LogicClient logic;
    private final Buckets buckets;

    private State state = State.HANDSHAKE;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private long heartbeatTimeoutNanos;
    private long lastHeartbeatNanos;

    public FrameHandler(String server, String cookie, Duration handshakeTimeout, LogicClient logic, Buckets buckets) {
        this.server = server;
        this.cookie = cookie;
        this.handshakeTimeout = handshakeTimeout;
        this.logic = logic;
        this.buckets = buckets;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor()
                .schedule(
                        () -> {
                            if (state == State.HANDSHAKE || state == State.AUTHENTICATING) {
                                close(ctx, "handshake timeout");
                            }
                        },
                        handshakeTimeout.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            if (msg instanceof WebSocketFrame data && data.isFinalFragment() && isData(data)) {
                data.release();
                close(ctx, "only binary goim frames are accepted");
                return;
            }
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            switch (state) {
                case HANDSHAKE -> {
                    if (frame.op() == Op.AUTH) {
                        authenticate(ctx, frame);
                    }
                }
                case AUTHENTICATED -> operate(ctx, frame);
                default -> {
                    // AUTHENTICATING or CLOSED: ignored, as goim ignores frames before auth
                }
            }
        } finally {
            frame.release();
        }
    }

    private static boolean isData(WebSocketFrame frame) {
        return frame instanceof io.netty.handler.codec.http.websocketx.TextWebSocketFrame
                || frame instanceof io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
    }

    private void authenticate(ChannelHandlerContext ctx, Frame auth) {
        state = State.AUTHENTICATING;
        int seq = auth.seq();
        ConnectReq request = ConnectReq.newBuilder()
                .setServer(server)
                .setCookie(cookie)
                .setToken(ByteString.copyFrom(ByteBufUtil.getBytes(auth.content())))
                .build();
        logic.connect(request)
                .whenComplete((reply, error) -> ctx.executor().execute(() -> {
                    if (error != null) {
                        log.warn("auth failed remote={} error={}", ctx.channel().remoteAddress(), error.toString());
                        close(ctx, "auth failed");
                    } else {
                        authenticated(ctx, reply, seq);
                    }
                }));
    }

    private void authenticated(ChannelHandlerContext ctx, ConnectReply reply, int seq) {
        channel = new Channel(
                reply.getMid(),
                reply.getKey(),
                reply.getRoomID(),
                new HashSet<>(reply.getAcceptsList()),
                new NettyOutbound(ctx.channel()));
        if (state == State.CLOSED || !ctx.channel().isActive()) {
            // the client left while logic was connecting it: undo the session logic just made
            disconnect();
            return;
        }
        state = State.AUTHENTICATED;
        Channel older = buckets.bucket(channel.key()).put(channel);
        if (older != null) {
            older.close("replaced by a newer connection with the same key");
        }
        ctx.writeAndFlush(Frame.empty(Op.AUTH_REPLY, seq));
        timer.cancel(false);
        heartbeatTimeoutNanos = reply.getHeartbeat() > 0 ? reply.getHeartbeat() : TimeUnit.MINUTES.toNanos(8);
        lastHeartbeatNanos = System.nanoTime();
        scheduleHeartbeatCheck(ctx, heartbeatTimeoutNanos);
        log.debug("auth ok mid={} key={} room={}", channel.mid(), channel.key(), channel.roomId());
    }

    private void operate(ChannelHandlerContext ctx, Frame frame) {
        if (frame.op() == Op.HEARTBEAT) {
            lastHeartbeatNanos = System.nanoTime();
            int online = channel.roomId().isEmpty() ? 0 : buckets.roomCount(channel.roomId());
            ctx.writeAndFlush(new Frame(
                    Frame.VERSION,
                    Op.HEARTBEAT_REPLY,
                    frame.seq(),
                    ctx.alloc().buffer(4, 4).writeInt(online)));
        }
    }

    private void scheduleHeartbeatCheck(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor()
                .schedule(
                        () -> {
                            long idle = System.nanoTime() - lastHeartbeatNanos;
                            if (idle >= heartbeatTimeoutNanos) {
                                close(ctx, "heartbeat timeout");
                            } else {
                                scheduleHeartbeatCheck(ctx, heartbeatTimeoutNanos - idle);
                            }
                        },
                        delayNanos,
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        if (timer != null) {
            timer.cancel(false);
        }
        if (was == State.AUTHENTICATED) {
            buckets.bucket(channel.key()).remove(channel);
            disconnect();
        }
        ctx.fireChannelInactive();
    }

    private void disconnect() {
        logic.disconnect(DisconnectReq.newBuilder()
                        .setMid(channel.mid())
                        .setKey(channel.key())
                        .setServer(server)
                        .build())
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        log.warn(
                                "disconnect failed mid={} key={} error={}",
                                channel.mid(),
                                channel.key(),
                                error.toString());
                    }
                });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof FrameDecodeException bad) {
            close(ctx, "bad frame " + bad.error());
        } else {
            log.warn("connection error remote={} error={}", ctx.channel().remoteAddress(), cause.toString());
            close(ctx, "connection error");
        }
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        log.debug("closing connection remote={} reason={}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }
}
