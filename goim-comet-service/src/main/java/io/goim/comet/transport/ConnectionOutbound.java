package io.goim.comet.transport;

import io.goim.comet.session.Channel;
import io.goim.comet.session.CloseReason;
import io.goim.proto.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's outbound side. Pushes go through a bounded queue (frames waiting to be written, and
 * Netty's buffered bytes); what does not fit is dropped and counted, so a slow or dead client costs
 * bounded memory and never slows the others. A connection unwritable for longer than the slow
 * consumer timeout is closed. Every frame written is counted. Closing sends the reason as a
 * WebSocket close code where the transport has one.
 */
final class ConnectionOutbound extends ChannelDuplexHandler implements Channel.Outbound {
    private static final Logger log = LoggerFactory.getLogger(ConnectionOutbound.class);

    private final Transport transport;
    private final CometMetrics metrics;
    private final int maxFrames;
    private final int maxBytes;
    private final long slowConsumerNanos;
    private final ChannelFutureListener written = this::written;

    private ChannelHandlerContext ctx;
    private int pending;
    private ScheduledFuture<?> slowConsumerCheck;
    private boolean closing;

    ConnectionOutbound(
            Transport transport, CometMetrics metrics, int maxFrames, int maxBytes, Duration slowConsumerTimeout) {
        this.transport = transport;
        this.metrics = metrics;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.slowConsumerNanos = slowConsumerTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxBytes / 2, maxBytes));
    }

    @Override
    public Executor executor() {
        return ctx.executor();
    }

    /**
     * A push from any thread: encoded here (the allocator is thread-safe), then queued like any wire
     * bytes, with the limits checked on the connection's event loop.
     */
    @Override
    public boolean write(Frame frame) {
        ByteBuf wire = encode(frame);
        frame.release();
        return writeEncoded(wire);
    }

    @Override
    public Object encodingKey() {
        return transport;
    }

    /**
     * The bytes this connection writes for {@code frame}: a WebSocket binary message holding the
     * goim frame, or on TCP the frame itself, and for op 9 only its inner frames (contract section
     * 2). The body is a retained duplicate, never a copy.
     */
    @Override
    public ByteBuf encode(Frame frame) {
        return transport == Transport.TCP
                ? TcpWire.encode(ctx.alloc(), frame)
                : WebSocketWire.encode(ctx.alloc(), frame);
    }

    /** Wire bytes from any thread; the limits are checked on the connection's event loop. */
    @Override
    public boolean writeEncoded(ByteBuf wire) {
        if (ctx.executor().inEventLoop()) {
            return pushEncoded(wire);
        }
        try {
            ctx.executor().execute(() -> pushEncoded(wire));
            return true;
        } catch (RuntimeException rejected) {
            return drop(wire, "closed");
        }
    }

    private boolean pushEncoded(ByteBuf wire) {
        if (closing || !ctx.channel().isActive()) {
            return drop(wire, "closed");
        }
        if (pending >= maxFrames) {
            return drop(wire, "queue-frames");
        }
        if (!ctx.channel().isWritable()) {
            return drop(wire, "queue-bytes");
        }
        pending++;
        metrics.frameOut(transport, wire.readableBytes());
        // raw bytes pass the goim and WebSocket encoders untouched (no compression is negotiated)
        ctx.writeAndFlush(wire, ctx.newPromise().addListener(written));
        return true;
    }

    private void written(io.netty.channel.ChannelFuture future) {
        pending--;
    }

    private boolean drop(io.netty.util.ReferenceCounted message, String reason) {
        message.release();
        metrics.dropped(reason);
        log.debug("push dropped remote={} reason={}", ctx.channel().remoteAddress(), reason);
        return false;
    }

    /** Counts the frames the FrameHandler writes (replies); pushes are counted in push(). */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Frame frame) {
            metrics.frameOut(transport, frame.packLength());
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable() && slowConsumerCheck == null) {
            slowConsumerCheck = ctx.executor()
                    .schedule(
                            () -> {
                                slowConsumerCheck = null;
                                if (!ctx.channel().isWritable()) {
                                    close(CloseReason.SLOW_CONSUMER);
                                }
                            },
                            slowConsumerNanos,
                            TimeUnit.NANOSECONDS);
        } else if (ctx.channel().isWritable() && slowConsumerCheck != null) {
            slowConsumerCheck.cancel(false);
            slowConsumerCheck = null;
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void close(CloseReason reason) {
        if (ctx.executor().inEventLoop()) {
            closeNow(reason);
        } else {
            ctx.executor().execute(() -> closeNow(reason));
        }
    }

    private void closeNow(CloseReason reason) {
        if (closing) {
            return;
        }
        closing = true;
        metrics.closedBy(reason);
        log.debug("closing connection remote={} reason={}", ctx.channel().remoteAddress(), reason.tag());
        if (transport.isWebSocket() && ctx.channel().isActive()) {
            // written from here, past the goim encoder, straight to Reactor Netty's WebSocket encoder
            ctx.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.text()))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (slowConsumerCheck != null) {
            slowConsumerCheck.cancel(false);
        }
        ctx.fireChannelInactive();
    }
}
