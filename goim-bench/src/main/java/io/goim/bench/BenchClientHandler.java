package io.goim.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One bench client, as goim's JavaScript client behaves: after the WebSocket handshake it sends op
 * 7 with its token, and once op 8 comes back a heartbeat (op 2) every 30 s. Every push it receives
 * is stamped with the receipt time.
 */
final class BenchClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    /** Shared counts over all clients. */
    static final class Counters {
        private final AtomicInteger authenticated = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final AtomicInteger closed = new AtomicInteger();

        void failed(BenchClientHandler client, Throwable cause) {
            if (failures.incrementAndGet() <= 5) {
                System.err.printf("client %d failed: %s%n", client.index, cause);
            }
            client.authDone();
        }

        int authenticated() {
            return authenticated.get();
        }

        int failures() {
            return failures.get();
        }

        int closed() {
            return closed.get();
        }
    }

    private final int index;
    private final byte[] token;
    private final long[][] receivedAt;
    private final AtomicIntegerArray receipts;
    private final CountDownLatch authed;
    private final Counters counters;
    private boolean authDone;
    private ScheduledFuture<?> heartbeat;

    BenchClientHandler(
            int index,
            String token,
            long[][] receivedAt,
            AtomicIntegerArray receipts,
            CountDownLatch authed,
            Counters counters) {
        this.index = index;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.receivedAt = receivedAt;
        this.receipts = receipts;
        this.authed = authed;
        this.counters = counters;
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
        long now = System.nanoTime();
        if (frame instanceof CloseWebSocketFrame close) {
            if (counters.closed.incrementAndGet() <= 5) {
                System.err.printf("client %d closed by server: %d %s%n", index, close.statusCode(), close.reasonText());
            }
            ctx.close();
            return;
        }
        if (!(frame instanceof BinaryWebSocketFrame)) {
            return;
        }
        ByteBuf message = frame.content();
        int op = Wire.op(message);
        if (op == Wire.OP_AUTH_REPLY) {
            counters.authenticated.incrementAndGet();
            authDone();
            heartbeat = ctx.executor()
                    .scheduleAtFixedRate(
                            () -> ctx.writeAndFlush(new BinaryWebSocketFrame(
                                    Wire.frame(ctx.alloc(), Wire.OP_HEARTBEAT, 2, new byte[0]))),
                            30,
                            30,
                            TimeUnit.SECONDS);
            return;
        }
        if (op == Wire.OP_HEARTBEAT_REPLY) {
            return;
        }
        int push = Wire.pushNumber(message);
        if (push >= 0 && push < receivedAt.length && receivedAt[push][index] == 0) {
            receivedAt[push][index] = now;
            receipts.incrementAndGet(push);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        if (!authDone) {
            counters.failed(this, new IllegalStateException("closed before op 8"));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!authDone) {
            counters.failed(this, cause);
        }
        ctx.close();
    }

    private void authDone() {
        if (!authDone) {
            authDone = true;
            authed.countDown();
        }
    }
}
