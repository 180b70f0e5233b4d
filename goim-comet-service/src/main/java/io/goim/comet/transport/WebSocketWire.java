package io.goim.comet.transport;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A goim frame as one WebSocket binary message on the wire (RFC 6455 section 5.2): FIN and opcode
 * 2, the payload length, no mask (server to client), then the goim header and body. Made once per
 * fan-out and shared, instead of encoding the same message for every connection; only valid while
 * no WebSocket extension (such as compression) is negotiated, which comet never does.
 *
 * <p>The bytes are one contiguous direct buffer: the body is copied once per fan-out and event
 * loop, so that each of the many connections that share it is a single plain write, with no
 * gathering write and no copy of a heap body (a gRPC message's) into direct memory per connection.
 */
final class WebSocketWire {
    private static final int FIN_BINARY = 0x82;

    private WebSocketWire() {}

    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        int payload = frame.packLength();
        int lengthBytes = payload <= 125 ? 0 : payload <= 0xFFFF ? 2 : 8;
        ByteBuf wire = alloc.directBuffer(2 + lengthBytes + payload);
        wire.writeByte(FIN_BINARY);
        if (lengthBytes == 0) {
            wire.writeByte(payload);
        } else if (lengthBytes == 2) {
            wire.writeByte(126).writeShort(payload);
        } else {
            wire.writeByte(127).writeLong(payload);
        }
        Frames.writeHeader(wire, frame);
        ByteBuf body = frame.content();
        wire.writeBytes(body, body.readerIndex(), body.readableBytes());
        return wire;
    }
}
