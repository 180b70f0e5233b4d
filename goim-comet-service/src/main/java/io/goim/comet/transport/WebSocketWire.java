package io.goim.comet.transport;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * A goim frame as one WebSocket binary message on the wire (RFC 6455 section 5.2): FIN and opcode
 * 2, the payload length, no mask (server to client), then the goim header and body. Made once per
 * fan-out and shared, instead of encoding the same message for every connection; only valid while
 * no WebSocket extension (such as compression) is negotiated, which comet never does.
 */
final class WebSocketWire {
    private static final int FIN_BINARY = 0x82;

    private WebSocketWire() {}

    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        int payload = frame.packLength();
        ByteBuf head = alloc.buffer(10 + Frame.HEADER_LENGTH);
        head.writeByte(FIN_BINARY);
        if (payload <= 125) {
            head.writeByte(payload);
        } else if (payload <= 0xFFFF) {
            head.writeByte(126).writeShort(payload);
        } else {
            head.writeByte(127).writeLong(payload);
        }
        Frames.writeHeader(head, frame);
        CompositeByteBuf wire = alloc.compositeBuffer(2);
        wire.addComponent(true, head);
        wire.addComponent(true, frame.content().retainedDuplicate());
        return wire;
    }
}
