package io.goim.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client of a connect storm, as goim's JavaScript client behaves: op 7 with its token right after
 * the WebSocket handshake, then a heartbeat every 30 s once op 8 came. It records when op 8 came,
 * and every close the server sent, by close code.
 */
final class StormClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    /** Counts over all clients of a storm. */
    static final class Tally {
        final AtomicInteger authenticated = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Map<Integer, LongAdder> closedBy = new ConcurrentHashMap<>();
        final LongAdder frames = new LongAdder();

        int closed() {
            return closedBy.values().stream().mapToInt(LongAdder::intValue).sum();
        }
    }

    private final int index;
    private final byte[] token;
    private final long[] authAt;
    private final CountDownLatch settled;
    private final Tally tally;
    private boolean settledOnce;
    private boolean authenticated;
    private ScheduledFuture<?> heartbeat;

    StormClientHandler(int index, String token, long[] authAt, CountDownLatch settled, Tally tally) {
        this.index = index;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.authAt = authAt;
        this.settled = settled;
        this.tally = tally;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ctx.writeAndFlush(new BinaryWebSocketFrame(Wire.frame(ctx.alloc(), Wire.OP_AUTH, 1, token)));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        tally.frames.increment();
        if (frame instanceof CloseWebSocketFrame close) {
            int code = close.statusCode();
            if (tally.closedBy.computeIfAbsent(code, c -> new LongAdder()).sum() < 3) {
                System.err.printf("client %d closed by the server: %d %s%n", index, code, close.reasonText());
            }
            tally.closedBy.get(code).increment();
            settle();
            ctx.close();
            return;
        }
        if (frame instanceof BinaryWebSocketFrame && Wire.op(frame.content()) == Wire.OP_AUTH_REPLY && !authenticated) {
            authenticated = true;
            authAt[index] = System.nanoTime();
            tally.authenticated.incrementAndGet();
            settle();
            heartbeat = ctx.executor()
                    .scheduleAtFixedRate(
                            () -> ctx.writeAndFlush(new BinaryWebSocketFrame(
                                    Wire.frame(ctx.alloc(), Wire.OP_HEARTBEAT, 2, new byte[0]))),
                            30,
                            30,
                            TimeUnit.SECONDS);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        failed(null);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(cause);
        ctx.close();
    }

    /** A connect that never got as far as op 8 or a close frame (refused, reset, timed out). */
    void failed(Throwable cause) {
        if (!settledOnce) {
            if (tally.failed.incrementAndGet() <= 3) {
                System.err.printf("client %d failed: %s%n", index, cause == null ? "closed before op 8" : cause);
            }
            settle();
        }
    }

    private void settle() {
        if (!settledOnce) {
            settledOnce = true;
            settled.countDown();
        }
    }
}
