package io.goim.comet.transport;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.goim.proto.frame.Op;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * A goim frame on a TCP stream: the frame itself, except that op 9 writes only its body, the inner
 * frames, without the envelope (contract section 2, as goim's WriteTCP does).
 */
final class TcpWire {
    private TcpWire() {}

    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        if (frame.op() == Op.RAW) {
            return frame.content().retainedDuplicate();
        }
        ByteBuf head = alloc.buffer(Frame.HEADER_LENGTH);
        Frames.writeHeader(head, frame);
        CompositeByteBuf wire = alloc.compositeBuffer(2);
        wire.addComponent(true, head);
        wire.addComponent(true, frame.content().retainedDuplicate());
        return wire;
    }
}
