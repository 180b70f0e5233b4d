package io.goim.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.net.URI;
import java.util.function.Consumer;

/**
 * Opens the load tools' WebSocket clients: Netty's client handshake to {@code uri}, close frames
 * left to the client's own handler, then that handler. One per run, shared by all its clients.
 */
final class WsConnector {
    private final Bootstrap bootstrap;
    private final URI uri;
    private final int port;

    WsConnector(EventLoopGroup group, URI uri) {
        this.uri = uri;
        this.port = uri.getPort() < 0 ? 80 : uri.getPort();
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(Transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    /** Connects one client; {@code failed} hears of a connect that did not succeed. */
    Channel connect(ChannelHandler client, Consumer<Throwable> failed) {
        return bootstrap
                .clone()
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(8192))
                                .addLast(new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                        .webSocketUri(uri)
                                        .handleCloseFrames(false)
                                        .handshakeTimeoutMillis(30_000)
                                        .maxFramePayloadLength(1 << 20)
                                        .build()))
                                .addLast(client);
                    }
                })
                .connect(uri.getHost(), port)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        failed.accept(f.cause());
                    }
                })
                .channel();
    }

    /** goim's JSON token of a bench client. */
    static String token(long mid, String room) {
        return "{\"mid\":" + mid + ",\"room_id\":\"" + room + "\",\"platform\":\"web\",\"accepts\":[1000]}";
    }
}
