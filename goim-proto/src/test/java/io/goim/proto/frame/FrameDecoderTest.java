package io.goim.proto.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(), new FrameEncoder());

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void decodesTheJavaScriptClientsAuthFrame() {
        channel.writeInbound(Unpooled.wrappedBuffer(GoldenFrames.load("js-client-auth.hex")));

        Frame frame = channel.readInbound();
        try {
            assertThat(frame.ver()).isEqualTo(1);
            assertThat(frame.op()).isEqualTo(Op.AUTH);
            assertThat(frame.seq()).isEqualTo(1);
            assertThat(frame.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo(
                            "{\"mid\":123, \"room_id\":\"live://1000\", \"platform\":\"web\", \"accepts\":[1000,1001,1002]}");
        } finally {
            frame.release();
        }
    }

    @Test
    void decodesTheJavaScriptClientsHeartbeatFrame() {
        channel.writeInbound(Unpooled.wrappedBuffer(GoldenFrames.load("js-client-heartbeat.hex")));

        Frame frame = channel.readInbound();
        assertThat(frame.op()).isEqualTo(Op.HEARTBEAT);
        assertThat(frame.seq()).isEqualTo(1);
        assertThat(frame.content().readableBytes()).isZero();
        frame.release();
    }

    @Test
    void encodesFramesByteForByteAsTheJavaScriptClientLaysThemOut() {
        byte[] token = "{\"mid\":123, \"room_id\":\"live://1000\", \"platform\":\"web\", \"accepts\":[1000,1001,1002]}"
                .getBytes(StandardCharsets.UTF_8);
        channel.writeOutbound(new Frame(1, Op.AUTH, 1, Unpooled.wrappedBuffer(token)));
        channel.writeOutbound(Frame.empty(Op.HEARTBEAT, 1));

        assertThat(readOutboundBytes()).isEqualTo(GoldenFrames.load("js-client-auth.hex"));
        assertThat(readOutboundBytes()).isEqualTo(GoldenFrames.load("js-client-heartbeat.hex"));
    }

    @Test
    void splitsAStreamCutAtAnyByte() {
        byte[] stream = concat(Frames.encode(1, 1000, 7, "hello".getBytes()), Frames.encode(1, 1001, 8, new byte[0]));
        for (int cut = 0; cut <= stream.length; cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
            ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));

            Frame first = ch.readInbound();
            Frame second = ch.readInbound();
            assertThat(first.op()).as("cut at %d", cut).isEqualTo(1000);
            assertThat(first.seq()).isEqualTo(7);
            assertThat(first.content().toString(StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(second.op()).isEqualTo(1001);
            assertThat(second.content().readableBytes()).isZero();
            assertThat((Object) ch.readInbound()).isNull();
            first.release();
            second.release();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void acceptsTheLargestClientBody() {
        channel.writeInbound(Unpooled.wrappedBuffer(Frames.encode(1, 1000, 1, new byte[Frame.MAX_CLIENT_BODY])));

        Frame frame = channel.readInbound();
        assertThat(frame.content().readableBytes()).isEqualTo(4096);
        frame.release();
    }

    @Test
    void rejectsPackLengthOverTheClientLimit() {
        ByteBuf in = header(16 + 4097, 16);

        assertThatThrownBy(() -> channel.writeInbound(in))
                .isInstanceOfSatisfying(
                        FrameDecodeException.class,
                        e -> assertThat(e.error()).isEqualTo(FrameError.PACK_LENGTH_TOO_LARGE));
    }

    @Test
    void rejectsNegativePackLength() {
        ByteBuf in = header(-1, 16);

        assertThatThrownBy(() -> channel.writeInbound(in))
                .isInstanceOfSatisfying(
                        FrameDecodeException.class,
                        e -> assertThat(e.error()).isEqualTo(FrameError.PACK_LENGTH_NEGATIVE));
    }

    @Test
    void rejectsHeaderLengthOtherThanSixteen() {
        ByteBuf in = header(16, 20);

        assertThatThrownBy(() -> channel.writeInbound(in))
                .isInstanceOfSatisfying(
                        FrameDecodeException.class, e -> assertThat(e.error()).isEqualTo(FrameError.HEADER_LENGTH));
    }

    @Test
    void rejectsAPackLengthUnderSixteenThatGoimWouldReadAsAnEmptyBody() {
        ByteBuf in = header(3, 16);

        assertThatThrownBy(() -> channel.writeInbound(in))
                .isInstanceOfSatisfying(
                        FrameDecodeException.class,
                        e -> assertThat(e.error()).isEqualTo(FrameError.PACK_LENGTH_TOO_SMALL));
    }

    private static ByteBuf header(int packLength, int headerLength) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(packLength)
                .writeShort(headerLength)
                .writeShort(1)
                .writeInt(Op.AUTH)
                .writeInt(1);
        return buf;
    }

    private byte[] readOutboundBytes() {
        ByteBuf header = channel.readOutbound();
        ByteBuf body = channel.readOutbound();
        ByteBuf all = Unpooled.wrappedBuffer(header, body);
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
