package io.goim.proto.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a TCP byte stream into {@link Frame}s. A frame that breaks goim's rules raises {@link
 * FrameDecodeException}; the connection's handler closes it (contract section 2).
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxPackLength;

    /** A decoder with goim's limit for client frames (16 + 4096). */
    public FrameDecoder() {
        this(Frame.MAX_CLIENT_PACK_LENGTH);
    }

    public FrameDecoder(int maxPackLength) {
        this.maxPackLength = maxPackLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= Frame.HEADER_LENGTH) {
            int index = in.readerIndex();
            try {
                FrameHeader.check(in, index, maxPackLength);
            } catch (FrameDecodeException e) {
                // the stream cannot be resynchronised: drop what is left so that nothing is decoded again
                in.skipBytes(in.readableBytes());
                throw e;
            }
            if (in.readableBytes() < Frame.HEADER_LENGTH + FrameHeader.bodyLength(in, index)) {
                return;
            }
            out.add(FrameHeader.read(in));
        }
    }
}
