package io.goim.comet.transport.tcp;

import io.goim.comet.config.CometProperties;
import io.goim.comet.transport.BoundListener;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.IoLoops;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameDecoder;
import io.goim.proto.frame.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/** The TCP listener on Reactor Netty (goim: 3101). Pushed messages arrive as inner frames, no op 9. */
@Component
@ConditionalOnProperty(name = "goim.comet.tcp.enabled", matchIfMissing = true)
final class TcpListener extends BoundListener {
    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);
    private static final FrameEncoder ENCODER = new FrameEncoder();

    private final CometProperties.Tcp tcp;
    private final int maxPackLength;
    private final Connections connections;
    private final IoLoops loops;

    TcpListener(CometProperties properties, Connections connections, IoLoops loops) {
        this.tcp = properties.tcp();
        this.maxPackLength = Frame.HEADER_LENGTH + properties.protocol().maxClientBody();
        this.connections = connections;
        this.loops = loops;
    }

    @Override
    public Transport transport() {
        return Transport.TCP;
    }

    @Override
    protected DisposableServer bindServer() {
        DisposableServer server;
        try {
            server = TcpServer.create()
                    .runOn(loops.resources())
                    .host(tcp.bind())
                    .port(tcp.port())
                    .doOnChannelInit((observer, channel, remote) -> connections.accepted(channel))
                    .doOnConnection(connection -> {
                        connection
                                .addHandlerLast("goim-frame-decoder", new FrameDecoder(maxPackLength))
                                .addHandlerLast("goim-frame-encoder", ENCODER);
                        connections.install(connection, Transport.TCP, "");
                    })
                    // reading is driven by demand; completes when either side closes
                    .handle((in, out) -> in.receive().then())
                    .bindNow();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind tcp listener on " + tcp.bind() + ":" + tcp.port(), e);
        }
        connections.serving(server.channel());
        log.info("comet tcp listening address={} port={}", tcp.bind(), server.port());
        return server;
    }
}
