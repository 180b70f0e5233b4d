package io.goim.proto.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.List;

/**
 * Reads one goim {@link Frame} from each WebSocket binary message, with goim's checks (contract
 * section 2): a message under 16 bytes, a negative or too large packLen, a headerLen other than 16.
 * Bytes after packLen are ignored, as goim ignores them.
 */
@ChannelHandler.Sharable
public final class WebSocketFrameDecoder extends MessageToMessageDecoder<BinaryWebSocketFrame> {
    private final int maxPackLength;

    public WebSocketFrameDecoder() {
        this(Frame.MAX_CLIENT_PACK_LENGTH);
    }

    public WebSocketFrameDecoder(int maxPackLength) {
        super(BinaryWebSocketFrame.class);
        this.maxPackLength = maxPackLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, BinaryWebSocketFrame message, List<Object> out) {
        out.add(decode(message.content(), maxPackLength));
    }

    /** Decodes one message's bytes; the returned frame's body is a retained slice of {@code in}. */
    public static Frame decode(ByteBuf in, int maxPackLength) {
        int length = in.readableBytes();
        if (length < Frame.HEADER_LENGTH) {
            throw new FrameDecodeException(
                    FrameError.MESSAGE_TOO_SHORT, "message of " + length + " bytes is shorter than the header");
        }
        int index = in.readerIndex();
        FrameHeader.check(in, index, maxPackLength);
        int bodyLength = FrameHeader.bodyLength(in, index);
        if (length < Frame.HEADER_LENGTH + bodyLength) {
            throw new FrameDecodeException(
                    FrameError.MESSAGE_SHORTER_THAN_PACK_LENGTH,
                    "message of " + length + " bytes declares packLen " + in.getInt(index));
        }
        return FrameHeader.read(in);
    }
}
