package io.goim.comet.transport.websocket;

import io.goim.comet.config.CometProperties;
import io.goim.comet.rpc.LogicClient;
import io.goim.comet.session.Buckets;
import io.goim.comet.transport.FrameHandler;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.WebSocketFrameDecoder;
import io.goim.proto.frame.WebSocketFrameEncoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * The WebSocket listener (goim: 3102, path /sub). After the upgrade each connection gets goim's
 * frame codec and a {@link FrameHandler} in its pipeline, ahead of Reactor Netty's bridge.
 */
@Component
public class WebSocketServer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(WebSocketServer.class);
    private static final WebSocketFrameEncoder ENCODER = new WebSocketFrameEncoder();

    private final CometProperties properties;
    private final LogicClient logic;
    private final Buckets buckets;
    private final int maxPackLength;
    private volatile DisposableServer server;

    WebSocketServer(CometProperties properties, LogicClient logic, Buckets buckets) {
        this.properties = properties;
        this.logic = logic;
        this.buckets = buckets;
        this.maxPackLength = Frame.HEADER_LENGTH + properties.protocol().maxClientBody();
    }

    @Override
    public void start() {
        CometProperties.Websocket ws = properties.websocket();
        WebsocketServerSpec spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength(maxPackLength)
                .build();
        try {
            server = HttpServer.create()
                    .host(ws.bind())
                    .port(ws.port())
                    .route(routes -> routes.ws(ws.path(), this::serve, spec))
                    .bindNow();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind WebSocket listener on " + ws.bind() + ":" + ws.port(), e);
        }
        log.info("comet WebSocket listening address={} port={} path={}", ws.bind(), port(), ws.path());
    }

    private Publisher<Void> serve(WebsocketInbound in, WebsocketOutbound out) {
        String cookie = in.headers().get(HttpHeaderNames.COOKIE, "");
        in.withConnection(connection -> connection
                .addHandlerLast("goim-frame-decoder", new WebSocketFrameDecoder(maxPackLength))
                .addHandlerLast("goim-frame-encoder", ENCODER)
                .addHandlerLast(
                        "goim-frame-handler",
                        new FrameHandler(
                                properties.server(),
                                cookie,
                                properties.protocol().handshakeTimeout(),
                                logic,
                                buckets)));
        // Reactor Netty reads on demand: draining what passes the FrameHandler (pings, pongs, close)
        // keeps reading on, and completes when the client or the FrameHandler closes the connection
        return in.receiveFrames().then();
    }

    /** The bound port, which differs from the configured one when that is 0. */
    public int port() {
        DisposableServer bound = server;
        return bound == null ? -1 : bound.port();
    }

    @Override
    public void stop() {
        DisposableServer bound = server;
        if (bound != null) {
            bound.disposeNow();
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
