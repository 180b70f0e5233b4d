package io.goim.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bare Netty WebSocket broadcast with nothing in between: clients authenticate with op 7 (any
 * token) and join one group; any HTTP POST writes its body as an op-9 frame to every client at
 * once, or with {@code mids=} in its query only to the clients whose token had those mids. It is the floor a full push path (logic, Kafka, job, comet) is compared with.
 */
final class BareBroadcastServer implements Closeable {
    private static final Pattern MID = Pattern.compile("\"mid\"\\s*:\\s*(\\d+)");
    private final EventLoopGroup group;
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Map<Long, Channel> byMid = new ConcurrentHashMap<>();
    private final Channel ws;
    private final Channel http;

    private BareBroadcastServer(EventLoopGroup group, int wsPort, int httpPort) throws InterruptedException {
        this.group = group;
        this.ws = bind(group, wsPort, () ->
                new ChannelHandler[] {new WebSocketServerProtocolHandler("/sub"), new ClientHandler()});
        this.http = bind(group, httpPort, () -> new ChannelHandler[] {new PushHandler()});
    }

    /** An HTTP server on 127.0.0.1:{@code port}; each connection gets the handlers after the codec. */
    private static Channel bind(EventLoopGroup group, int port, Supplier<ChannelHandler[]> handlers)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(Transports.serverSocketChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(65536))
                                .addLast(handlers.get());
                    }
                })
                .bind("127.0.0.1", port)
                .sync()
                .channel();
    }

    static BareBroadcastServer start(int wsPort, int httpPort, int threads) throws InterruptedException {
        EventLoopGroup group = Transports.group(threads);
        try {
            return new BareBroadcastServer(group, wsPort, httpPort);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    int wsPort() {
        return ((InetSocketAddress) ws.localAddress()).getPort();
    }

    int httpPort() {
        return ((InetSocketAddress) http.localAddress()).getPort();
    }

    void awaitClose() throws InterruptedException {
        ws.closeFuture().sync();
    }

    @Override
    public void close() {
        ws.close();
        http.close();
        clients.close();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The mid of goim's JSON token, or 0: enough of JSON for the bench's own tokens. */
    static long mid(String token) {
        Matcher m = MID.matcher(token);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private final class ClientHandler extends SimpleChannelInboundHandler<BinaryWebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, BinaryWebSocketFrame frame) {
            int op = Wire.op(frame.content());
            if (op == Wire.OP_AUTH) {
                clients.add(ctx.channel());
                long mid = mid(frame.content()
                        .toString(Wire.HEADER, frame.content().readableBytes() - Wire.HEADER, StandardCharsets.UTF_8));
                if (mid > 0) {
                    byMid.put(mid, ctx.channel());
                    ctx.channel().closeFuture().addListener(f -> byMid.remove(mid, ctx.channel()));
                }
                ctx.writeAndFlush(
                        new BinaryWebSocketFrame(Wire.frame(ctx.alloc(), Wire.OP_AUTH_REPLY, 1, new byte[0])));
            } else if (op == Wire.OP_HEARTBEAT) {
                byte[] online = {0, 0, 0, 0};
                ctx.writeAndFlush(
                        new BinaryWebSocketFrame(Wire.frame(ctx.alloc(), Wire.OP_HEARTBEAT_REPLY, 2, online)));
            }
        }
    }

    private final class PushHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            List<String> operation =
                    new QueryStringDecoder(request.uri()).parameters().getOrDefault("operation", List.of("1000"));
            ByteBuf body = request.content();
            int inner = Wire.HEADER + body.readableBytes();
            ByteBuf message = ctx.alloc().buffer(Wire.HEADER + inner);
            Wire.writeHeader(message, Wire.OP_RAW, 0, inner);
            Wire.writeHeader(message, Integer.parseInt(operation.get(0)), 0, body.readableBytes());
            message.writeBytes(body);
            List<String> mids =
                    new QueryStringDecoder(request.uri()).parameters().get("mids");
            if (mids == null) {
                // ChannelGroup writes a retained duplicate to each client
                clients.writeAndFlush(new BinaryWebSocketFrame(message));
            } else {
                // a push by mids (goim's /goim/push/mids) goes to those users only
                for (String mid : mids) {
                    Channel user = byMid.get(Long.parseLong(mid));
                    if (user != null) {
                        user.writeAndFlush(new BinaryWebSocketFrame(message.retainedDuplicate()));
                    }
                }
                message.release();
            }
            FullHttpResponse response = new DefaultFullHttpResponse(
                    request.protocolVersion(),
                    HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("{\"code\":0,\"message\":\"ok\"}", StandardCharsets.UTF_8));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
            ctx.writeAndFlush(response);
        }
    }
}
