package io.goim.comet.transport.tcp;

import io.goim.comet.config.CometProperties;
import io.goim.comet.transport.BoundListener;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.IoLoops;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameDecoder;
import io.goim.proto.frame.FrameEncoder;
import io.netty.channel.Channel;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** The TCP listener (goim: 3101). Pushed messages arrive as inner frames, no op 9. */
@Component
@ConditionalOnProperty(name = "goim.comet.tcp.enabled", matchIfMissing = true)
final class TcpListener extends BoundListener {
    private static final FrameEncoder ENCODER = new FrameEncoder();

    private final int maxPackLength;

    TcpListener(CometProperties properties, Connections connections, IoLoops loops) {
        super(properties.tcp().bind(), properties.tcp().port(), loops, connections);
        this.maxPackLength = Frame.HEADER_LENGTH + properties.protocol().maxClientBody();
    }

    @Override
    public Transport transport() {
        return Transport.TCP;
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast("goim-frame-decoder", new FrameDecoder(maxPackLength))
                .addLast("goim-frame-encoder", ENCODER);
        connections().install(channel, Transport.TCP, "");
    }
}
