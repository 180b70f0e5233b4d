package io.goim.comet.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameBatch;
import io.goim.proto.frame.FrameEncoder;
import io.goim.proto.frame.Op;
import io.goim.proto.frame.WebSocketFrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pre-encoded wire bytes are exactly what the per-connection encoders would write. */
class WireTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 100, 109, 110, 5_000, 65_519, 65_520, 100_000})
    void webSocketWireEqualsNettysEncodingOfTheBinaryMessage(int bodyLength) {
        Frame frame = frame(Op.RAW, bodyLength);
        EmbeddedChannel netty = new EmbeddedChannel(new WebSocket08FrameEncoder(false), new WebSocketFrameEncoder());
        netty.writeOutbound(frame.retainedDuplicate());

        ByteBuf wire = WebSocketWire.encode(ByteBufAllocator.DEFAULT, frame);

        assertThat(ByteBufUtil.getBytes(wire)).isEqualTo(drain(netty));
        assertOnePlainWrite(wire);
        wire.release();
        frame.release();
        netty.finishAndReleaseAll();
    }

    @Test
    void tcpWireIsTheFrameAndOp9OnlyItsInnerFrames() {
        Frame raw = new Frame(1, Op.RAW, 0, Unpooled.wrappedBuffer(FrameBatch.of(1000, "hi".getBytes())));
        Frame reply = frame(Op.HEARTBEAT_REPLY, 4);
        EmbeddedChannel netty = new EmbeddedChannel(new FrameEncoder());
        netty.writeOutbound(reply.retainedDuplicate());

        ByteBuf rawWire = TcpWire.encode(ByteBufAllocator.DEFAULT, raw);
        ByteBuf replyWire = TcpWire.encode(ByteBufAllocator.DEFAULT, reply);

        assertThat(ByteBufUtil.getBytes(rawWire)).isEqualTo(FrameBatch.of(1000, "hi".getBytes()));
        assertThat(ByteBufUtil.getBytes(replyWire)).isEqualTo(drain(netty));
        assertOnePlainWrite(rawWire);
        assertOnePlainWrite(replyWire);
        rawWire.release();
        replyWire.release();
        raw.release();
        reply.release();
        netty.finishAndReleaseAll();
    }

    /**
     * Shared by every connection of a fan-out: one direct buffer, so each connection's write is a
     * single plain write, with no gathering and no copy of a heap body into direct memory.
     */
    private static void assertOnePlainWrite(ByteBuf wire) {
        assertThat(wire.isDirect()).as("direct").isTrue();
        assertThat(wire.nioBufferCount()).as("one piece").isEqualTo(1);
    }

    private static Frame frame(int op, int bodyLength) {
        byte[] body = new byte[bodyLength];
        for (int i = 0; i < bodyLength; i++) {
            body[i] = (byte) i;
        }
        return new Frame(1, op, 7, Unpooled.wrappedBuffer(body));
    }

    private static byte[] drain(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf part = (ByteBuf) out;
            all.writeBytes(part);
            part.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }
}
