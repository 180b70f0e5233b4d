package io.goim.comet.transport.websocket;

import io.goim.comet.transport.BoundListener;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.WebSocketFrameDecoder;
import io.goim.proto.frame.WebSocketFrameEncoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A WebSocket listener on Reactor Netty (goim: 3102 at /sub, 3103 over TLS): one goim frame per
 * binary message. After the upgrade each connection gets goim's frame codec, then the handlers of
 * {@link Connections}, ahead of Reactor Netty's bridge.
 */
final class WebSocketListener extends BoundListener {
    private static final Logger log = LoggerFactory.getLogger(WebSocketListener.class);
    private static final WebSocketFrameEncoder ENCODER = new WebSocketFrameEncoder();

    private final Transport transport;
    private final String bind;
    private final int configuredPort;
    private final String path;
    private final int maxPackLength;
    private final UnaryOperator<HttpServer> security;
    private final Connections connections;

    WebSocketListener(
            Transport transport,
            String bind,
            int port,
            String path,
            int maxPackLength,
            UnaryOperator<HttpServer> security,
            Connections connections) {
        this.transport = transport;
        this.bind = bind;
        this.configuredPort = port;
        this.path = path;
        this.maxPackLength = maxPackLength;
        this.security = security;
        this.connections = connections;
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    protected DisposableServer bindServer() {
        DisposableServer server;
        WebsocketServerSpec spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength(maxPackLength)
                .build();
        try {
            server = security.apply(HttpServer.create().host(bind).port(configuredPort))
                    .doOnChannelInit((observer, channel, remote) -> connections.accepted(channel))
                    .route(routes -> routes.ws(path, this::serve, spec))
                    .bindNow();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot bind " + transport.tag() + " listener on " + bind + ":" + configuredPort, e);
        }
        connections.serving(server.channel());
        log.info("comet {} listening address={} port={} path={}", transport.tag(), bind, server.port(), path);
        return server;
    }

    private Publisher<Void> serve(WebsocketInbound in, WebsocketOutbound out) {
        String cookie = in.headers().get(HttpHeaderNames.COOKIE, "");
        // a goim frame may come as fragments: reassemble up to the frame limit first
        in.aggregateFrames(maxPackLength);
        in.withConnection(connection -> {
            connection
                    .addHandlerLast("goim-frame-decoder", new WebSocketFrameDecoder(maxPackLength))
                    .addHandlerLast("goim-frame-encoder", ENCODER);
            connections.install(connection, transport, cookie);
        });
        // Reactor Netty reads on demand: draining what passes the handlers (pings, pongs, close)
        // keeps reading on, and completes when the client or comet closes the connection
        return in.receiveFrames().then();
    }
}
