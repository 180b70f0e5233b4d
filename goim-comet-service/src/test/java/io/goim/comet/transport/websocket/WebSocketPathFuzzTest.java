package io.goim.comet.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameDecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * comet's WebSocket path (issue 14): the pipeline {@link WebSocketListener} builds, upgraded with a
 * real handshake in an {@link EmbeddedChannel}, then fed WebSocket frames made from the fuzzer's
 * bytes (any opcode, reserved bits, masked or not, lengths that lie, fragments, goim frames whose
 * header breaks goim's rules), cut anywhere. What reaches comet's handlers is a goim {@link Frame}
 * within the frame limit, or a text or continuation message (closed with 4010); the only exceptions
 * are the decoders' own (a bad goim frame, a bad WebSocket frame, a message over the limit), which
 * comet closes with 4004; it never holds more than about a frame and a read; every buffer is released
 * once the connection closes.
 *
 * <p>{@code ./mvnw verify} fuzzes it for a bounded time (comet's pom, execution {@code
 * fuzz-websocket-path}); regression inputs are in {@code WebSocketPathFuzzTestInputs}.
 */
class WebSocketPathFuzzTest {
    private static final byte[] UPGRADE = ("GET /sub HTTP/1.1\r\n" + "Host: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Cookie: a=b\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final int[] OPCODES = {0x0, 0x1, 0x2, 0x8, 0x9, 0xA, 0x3, 0xF};
    private static final int[] OPS = {2, 7, 12, 14, 16, 1000, 0, -1};

    @FuzzTest(maxDuration = "20s")
    void anyFramesAfterTheUpgradeReachGoimAsFramesOrCloseTheConnection(FuzzedDataProvider data) {
        int maxPackLength = Frame.HEADER_LENGTH + data.consumeInt(0, 256);
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        Sink sink = new Sink();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        WebSocketListener.initPipeline(
                channel.pipeline(),
                WebSocketListener.upgradeConfig("/sub", maxPackLength, 5000),
                maxPackLength,
                (upgraded, cookie) -> upgraded.pipeline().addLast("sink", sink));
        channel.writeInbound(Unpooled.wrappedBuffer(UPGRADE));
        Object response = channel.readOutbound();
        assertThat(channel.pipeline().get("sink")).as("upgraded").isNotNull();
        ReferenceCountUtil.release(response);

        byte[] stream = webSocketFrames(data, maxPackLength);
        List<ByteBuf> inputs = new ArrayList<>();
        int at = 0;
        int largestChunk = 0;
        while (at < stream.length && channel.isActive()) {
            int length = Math.min(stream.length - at, 1 + data.consumeInt(0, 200));
            largestChunk = Math.max(largestChunk, length);
            ByteBuf in = Unpooled.wrappedBuffer(stream, at, length);
            inputs.add(in);
            at += length;
            channel.writeInbound(in);
            assertThat(alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory())
                    .as("bytes held while decoding")
                    .isLessThanOrEqualTo(4L * (maxPackLength + largestChunk) + 1024);
        }
        channel.finishAndReleaseAll();

        assertThat(sink.unexpected).isEmpty();
        assertThat(sink.frames).allSatisfy(length -> assertThat(length).isBetween(Frame.HEADER_LENGTH, maxPackLength));
        assertThat(inputs)
                .allSatisfy(in -> assertThat(in.refCnt()).as("input released").isZero());
        assertThat(alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory())
                .as("buffers left")
                .isZero();
    }

    /** Frames as a client could put them on the wire, right or wrong. */
    private static byte[] webSocketFrames(FuzzedDataProvider data, int maxPackLength) {
        ByteBuf out = Unpooled.buffer();
        int count = data.consumeInt(0, 8);
        for (int i = 0; i < count && data.remainingBytes() > 0; i++) {
            boolean fin = data.consumeInt(0, 3) != 0;
            int rsv = data.consumeInt(0, 15) == 0 ? data.consumeInt(1, 7) : 0;
            int opcode = data.pickValue(OPCODES);
            boolean masked = data.consumeInt(0, 15) != 0;
            byte[] payload = data.consumeBoolean() ? goimFrame(data, maxPackLength) : raw(data);
            long declared = data.consumeInt(0, 15) == 0 ? data.consumeLong() : payload.length;
            out.writeByte((fin ? 0x80 : 0) | rsv << 4 | opcode);
            int form = data.consumeInt(0, 2);
            int maskBit = masked ? 0x80 : 0;
            if (form == 0 && declared >= 0 && declared <= 125) {
                out.writeByte(maskBit | (int) declared);
            } else if (form <= 1 && declared >= 0 && declared <= 0xFFFF) {
                out.writeByte(maskBit | 126).writeShort((int) declared);
            } else {
                out.writeByte(maskBit | 127).writeLong(declared);
            }
            byte[] mask = new byte[4];
            if (masked) {
                mask = data.consumeBytes(4);
                mask = mask.length == 4 ? mask : new byte[4];
                out.writeBytes(mask);
            }
            for (int b = 0; b < payload.length; b++) {
                out.writeByte(payload[b] ^ mask[b & 3]);
            }
        }
        out.writeBytes(data.consumeBytes(data.consumeInt(0, 64)));
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /** A goim frame, its packLen and headerLen right or not. */
    private static byte[] goimFrame(FuzzedDataProvider data, int maxPackLength) {
        byte[] body = data.consumeBytes(data.consumeInt(0, maxPackLength));
        ByteBuf frame = Unpooled.buffer();
        frame.writeInt(data.consumeInt(0, 7) == 0 ? data.consumeInt() : Frame.HEADER_LENGTH + body.length)
                .writeShort(data.consumeInt(0, 7) == 0 ? data.consumeShort() : Frame.HEADER_LENGTH)
                .writeShort(1)
                .writeInt(data.pickValue(OPS))
                .writeInt(data.consumeInt())
                .writeBytes(body);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        return bytes;
    }

    private static byte[] raw(FuzzedDataProvider data) {
        return data.consumeBytes(data.consumeInt(0, 300));
    }

    /** Where comet's handlers start: takes what they would take, and closes as they would. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final List<Integer> frames = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame frame) {
                frames.add(frame.packLength());
            } else if (msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                ctx.close(); // 4010
            } else {
                unexpected.add("message " + msg.getClass().getName());
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // as FrameHandler.exceptionCaught: a client that left mid-message is no fault and no error
            if (cause instanceof PrematureChannelClosureException) {
                return;
            }
            if (!(cause instanceof FrameDecodeException
                    || cause instanceof CorruptedWebSocketFrameException
                    || cause instanceof TooLongFrameException)) {
                unexpected.add("exception " + cause);
            }
            ctx.close(); // 4004
        }
    }
}
