package io.goim.proto.frame;

import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.List;

/**
 * Writes each {@link Frame} as one WebSocket binary message: header and body as a composite buffer,
 * so a body shared by many connections is never copied.
 */
@ChannelHandler.Sharable
public final class WebSocketFrameEncoder extends MessageToMessageEncoder<Frame> {
    public WebSocketFrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        CompositeByteBuf message = ctx.alloc().compositeBuffer(2);
        message.addComponent(true, Frames.header(ctx.alloc(), frame));
        message.addComponent(true, frame.content().retain());
        out.add(new BinaryWebSocketFrame(message));
    }
}
