package io.goim.comet.transport.websocket;

import io.goim.comet.transport.BoundListener;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.IoLoops;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.WebSocketFrameDecoder;
import io.goim.proto.frame.WebSocketFrameEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BiConsumer;

/**
 * A WebSocket listener (goim: 3102 at /sub, 3103 over TLS): one goim frame per binary message.
 * Netty's HTTP codec and WebSocket handshake, after TLS where configured; after the upgrade the
 * HTTP codec has left the pipeline, each connection gets goim's frame codec, then the handlers of
 * {@link Connections}, and nothing of the upgrade request stays but the cookie goim passes to
 * logic.
 */
final class WebSocketListener extends BoundListener {
    private static final WebSocketFrameEncoder ENCODER = new WebSocketFrameEncoder();
    private static final int MAX_UPGRADE_REQUEST = 8192;

    private final Transport transport;
    private final String path;
    private final int maxPackLength;
    private final SslContext tls;
    private final WebSocketServerProtocolConfig upgrade;

    /** {@code tls}: null for plain WebSocket. */
    WebSocketListener(
            Transport transport,
            String bind,
            int port,
            String path,
            int maxPackLength,
            long handshakeMillis,
            SslContext tls,
            Connections connections,
            IoLoops loops) {
        super(bind, port, loops, connections);
        this.transport = transport;
        this.path = path;
        this.maxPackLength = maxPackLength;
        this.tls = tls;
        this.upgrade = upgradeConfig(path, maxPackLength, handshakeMillis);
    }

    /** The WebSocket handshake and decoder settings of a listener at {@code path}. */
    static WebSocketServerProtocolConfig upgradeConfig(String path, int maxPackLength, long handshakeMillis) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .checkStartsWith(false)
                // a client that never finishes its upgrade is closed like one that never sends op 7
                .handshakeTimeoutMillis(handshakeMillis)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxPackLength)
                        .allowExtensions(false)
                        .build())
                .build();
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    protected String describe() {
        return " path=" + path;
    }

    @Override
    protected void initChannel(Channel channel) {
        if (tls != null) {
            channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
        }
        initPipeline(
                channel.pipeline(),
                upgrade,
                maxPackLength,
                (upgraded, cookie) -> connections().installAfter(upgraded, "goim-frame-encoder", transport, cookie));
    }

    /**
     * A WebSocket connection's pipeline up to goim's codec: the HTTP codec and handshake, and after
     * the upgrade the fragment aggregator and goim's frame codec; {@code install} then adds the
     * connection's handlers after {@code goim-frame-encoder}, given the upgrade request's cookie.
     * The fuzz test of the WebSocket path runs this same pipeline.
     */
    static void initPipeline(
            ChannelPipeline pipeline,
            WebSocketServerProtocolConfig upgrade,
            int maxPackLength,
            BiConsumer<Channel, String> install) {
        pipeline.addLast("http-codec", new HttpServerCodec())
                .addLast("http-upgrade-request", new HttpObjectAggregator(MAX_UPGRADE_REQUEST))
                .addLast("ws-protocol", new WebSocketServerProtocolHandler(upgrade))
                .addLast("ws-upgraded", new Upgraded(maxPackLength, install));
    }

    /**
     * After the upgrade: goim's codec and handlers take the connection over, with the upgrade
     * request's cookie. A request for another path, or no upgrade, is answered 404 and closed.
     */
    private static final class Upgraded extends ChannelInboundHandlerAdapter {
        private final int maxPackLength;
        private final BiConsumer<Channel, String> install;

        Upgraded(int maxPackLength, BiConsumer<Channel, String> install) {
            this.maxPackLength = maxPackLength;
            this.install = install;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                String cookie = handshake.requestHeaders().get(HttpHeaderNames.COOKIE, "");
                ctx.pipeline()
                        // a goim frame may come as fragments: reassembled up to the frame limit first
                        .addAfter(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(maxPackLength))
                        .addAfter("ws-aggregator", "goim-frame-decoder", new WebSocketFrameDecoder(maxPackLength))
                        .addAfter("goim-frame-decoder", "goim-frame-encoder", ENCODER)
                        .remove(this);
                install.accept(ctx.channel(), cookie);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(new DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }
}
