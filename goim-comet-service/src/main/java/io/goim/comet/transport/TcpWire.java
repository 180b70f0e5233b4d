package io.goim.comet.transport;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.goim.proto.frame.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A goim frame on a TCP stream: the frame itself, except that op 9 writes only its body, the inner
 * frames, without the envelope (contract section 2, as goim's WriteTCP does). Like {@link
 * WebSocketWire}, one contiguous direct buffer that many connections share.
 */
final class TcpWire {
    private TcpWire() {}

    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        ByteBuf body = frame.content();
        boolean raw = frame.op() == Op.RAW;
        ByteBuf wire = alloc.directBuffer((raw ? 0 : Frame.HEADER_LENGTH) + body.readableBytes());
        if (!raw) {
            Frames.writeHeader(wire, frame);
        }
        wire.writeBytes(body, body.readerIndex(), body.readableBytes());
        return wire;
    }
}
