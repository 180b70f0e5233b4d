package io.goim.comet.transport;

import io.goim.comet.session.Channel;
import io.goim.proto.frame.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a Channel's frames to its Netty channel. */
final class NettyOutbound implements Channel.Outbound {
    private static final Logger log = LoggerFactory.getLogger(NettyOutbound.class);

    private final io.netty.channel.Channel channel;

    NettyOutbound(io.netty.channel.Channel channel) {
        this.channel = channel;
    }

    @Override
    public boolean write(Frame frame) {
        if (!channel.isActive()) {
            frame.release();
            return false;
        }
        channel.writeAndFlush(frame, channel.voidPromise());
        return true;
    }

    @Override
    public void close(String reason) {
        log.debug("closing connection remote={} reason={}", channel.remoteAddress(), reason);
        channel.close();
    }
}
