package io.goim.proto.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketFrameCodecTest {
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new WebSocketFrameDecoder(), new WebSocketFrameEncoder());

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void decodesTheJavaScriptClientsAuthMessage() {
        channel.writeInbound(message(GoldenFrames.load("js-client-auth.hex")));

        Frame frame = channel.readInbound();
        assertThat(frame.op()).isEqualTo(Op.AUTH);
        assertThat(frame.seq()).isEqualTo(1);
        assertThat(frame.content().toString(StandardCharsets.UTF_8)).startsWith("{\"mid\":123,");
        frame.release();
    }

    @Test
    void decodesTheJavaScriptClientsHeartbeatMessage() {
        channel.writeInbound(message(GoldenFrames.load("js-client-heartbeat.hex")));

        Frame frame = channel.readInbound();
        assertThat(frame.op()).isEqualTo(Op.HEARTBEAT);
        assertThat(frame.content().readableBytes()).isZero();
        frame.release();
    }

    @Test
    void roundTripsAFrameAsOneBinaryMessage() {
        channel.writeOutbound(new Frame(1, 1000, 42, Unpooled.copiedBuffer("body", StandardCharsets.UTF_8)));
        BinaryWebSocketFrame message = channel.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(message.content());
        message.release();

        assertThat(bytes).isEqualTo(Frames.encode(1, 1000, 42, "body".getBytes(StandardCharsets.UTF_8)));
        channel.writeInbound(message(bytes));
        Frame back = channel.readInbound();
        assertThat(back.op()).isEqualTo(1000);
        assertThat(back.seq()).isEqualTo(42);
        assertThat(back.content().toString(StandardCharsets.UTF_8)).isEqualTo("body");
        back.release();
    }

    @Test
    void encodesAHeartbeatReplyWithItsFourByteCount() {
        channel.writeOutbound(
                new Frame(1, Op.HEARTBEAT_REPLY, 1, Unpooled.buffer(4).writeInt(3)));
        BinaryWebSocketFrame message = channel.readOutbound();

        assertThat(ByteBufUtil.hexDump(message.content()))
                .isEqualTo("00000014" + "0010" + "0001" + "00000003" + "00000001" + "00000003");
        message.release();
    }

    @Test
    void rejectsAMessageShorterThanTheHeader() {
        assertRejected(new byte[15], FrameError.MESSAGE_TOO_SHORT);
    }

    @Test
    void rejectsPackLengthOverTheClientLimit() {
        assertRejected(header(16 + 4097, 16), FrameError.PACK_LENGTH_TOO_LARGE);
    }

    @Test
    void rejectsNegativePackLength() {
        assertRejected(header(Integer.MIN_VALUE, 16), FrameError.PACK_LENGTH_NEGATIVE);
    }

    @Test
    void rejectsHeaderLengthOtherThanSixteen() {
        assertRejected(header(16, 15), FrameError.HEADER_LENGTH);
    }

    @Test
    void rejectsAMessageShorterThanItsPackLength() {
        assertRejected(header(20, 16), FrameError.MESSAGE_SHORTER_THAN_PACK_LENGTH);
    }

    private void assertRejected(byte[] bytes, FrameError expected) {
        assertThatThrownBy(() -> channel.writeInbound(message(bytes)))
                .isInstanceOfSatisfying(
                        FrameDecodeException.class, e -> assertThat(e.error()).isEqualTo(expected));
    }

    private static byte[] header(int packLength, int headerLength) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(packLength)
                .writeShort(headerLength)
                .writeShort(1)
                .writeInt(Op.AUTH)
                .writeInt(1);
        return ByteBufUtil.getBytes(buf);
    }

    private static BinaryWebSocketFrame message(byte[] bytes) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    }
}
