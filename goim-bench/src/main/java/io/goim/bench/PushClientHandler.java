package io.goim.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bench client, as goim's JavaScript client behaves: op 7 after the handshake, a
 * heartbeat every 30 s after op 8, and every push in every message (merged room batches too)
 * reported with its receipt time. It counts op 8, and every close the server sent by close code.
 */
final class PushClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    /** Hears of each push a client got: which client, which push, when (nanoTime). */
    @FunctionalInterface
    interface Receipts {
        void received(int client, int push, long at);
    }

    /** Counts over all clients, and when each got op 8 (nanoTime; 0: not yet). */
    static final class Tally {
        final AtomicInteger authenticated = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Map<Integer, LongAdder> closedBy = new ConcurrentHashMap<>();
        final long[] authAt;

        Tally(int clients) {
            authAt = new long[clients];
        }

        int closed() {
            return closedBy.values().stream().mapToInt(LongAdder::intValue).sum();
        }

        /** Close codes the server sent, in order of code. */
        Map<Integer, Long> closedByCode() {
            Map<Integer, Long> byCode = new TreeMap<>();
            closedBy.forEach((code, count) -> byCode.put(code, count.sum()));
            return byCode;
        }
    }

    private final int index;
    private final byte[] token;
    private final CountDownLatch settled;
    private final Tally tally;
    private final Receipts receipts;
    private boolean settledOnce;
    private ScheduledFuture<?> heartbeat;

    PushClientHandler(int index, String token, CountDownLatch settled, Tally tally, Receipts receipts) {
        this.index = index;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.settled = settled;
        this.tally = tally;
        this.receipts = receipts;
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
            LongAdder count = tally.closedBy.computeIfAbsent(close.statusCode(), c -> new LongAdder());
            count.increment();
            if (count.sum() <= 3) {
                System.err.printf(
                        "client %d closed by the server: %d %s%n", index, close.statusCode(), close.reasonText());
            }
            settle();
            ctx.close();
            return;
        }
        if (!(frame instanceof BinaryWebSocketFrame)) {
            return;
        }
        int op = Wire.op(frame.content());
        if (op == Wire.OP_AUTH_REPLY && tally.authAt[index] == 0) {
            tally.authAt[index] = now;
            tally.authenticated.incrementAndGet();
            settle();
            heartbeat = ctx.executor()
                    .scheduleAtFixedRate(
                            () -> ctx.writeAndFlush(new BinaryWebSocketFrame(
                                    Wire.frame(ctx.alloc(), Wire.OP_HEARTBEAT, 2, new byte[0]))),
                            30,
                            30,
                            TimeUnit.SECONDS);
        } else if (op != Wire.OP_HEARTBEAT_REPLY) {
            Wire.forEachPush(frame.content(), push -> receipts.received(index, push, now));
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
