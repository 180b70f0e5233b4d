package io.goim.proto.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/** Frame encoding and parsing on plain byte arrays, for clients, tools and job. */
public final class Frames {
    private Frames() {}

    /** The 16-byte header of {@code frame}. */
    static ByteBuf header(ByteBufAllocator alloc, Frame frame) {
        ByteBuf header = alloc.buffer(Frame.HEADER_LENGTH, Frame.HEADER_LENGTH);
        FrameHeader.write(header, frame.content().readableBytes(), frame.ver(), frame.op(), frame.seq());
        return header;
    }

    /** Writes the 16-byte header of {@code frame} (its body length, ver, op, seq) to {@code out}. */
    public static void writeHeader(ByteBuf out, Frame frame) {
        FrameHeader.write(out, frame.content().readableBytes(), frame.ver(), frame.op(), frame.seq());
    }

    /** One whole frame as bytes. */
    public static byte[] encode(int ver, int op, int seq, byte[] body) {
        ByteBuf out = Unpooled.buffer(Frame.HEADER_LENGTH + body.length);
        FrameHeader.write(out, body.length, ver, op, seq);
        out.writeBytes(body);
        return out.array();
    }

    /**
     * Parses frames laid back to back, as in an op-9 body or a TCP stream, with no size limit but
     * goim's header checks. Bodies are wrapped, not copied.
     *
     * @throws FrameDecodeException if a header is bad or the bytes end inside a frame
     */
    public static List<Frame> decodeAll(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        List<Frame> frames = new ArrayList<>();
        while (in.isReadable()) {
            frames.add(WebSocketFrameDecoder.decode(in, Integer.MAX_VALUE));
        }
        return frames;
    }
}
