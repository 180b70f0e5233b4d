package io.goim.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends pushes as HTTP/1.1 POSTs on one kept-alive connection. The request's bytes are made before
 * the send, and the send time is taken on the connection's event loop right before they are written
 * to the socket: the measurement then holds neither the hand-off to the event loop nor the encoding
 * (both run in the interpreter at one push a second, and cost this tool 2 to 5 ms a push when the
 * time was taken before them).
 */
final class HttpPusher implements AutoCloseable {
    /** A push's answer: its status and body, and when it was sent and answered (nanoTime). */
    record Reply(int status, String body, long sentAt, long repliedAt) {}

    private final EventLoopGroup group;
    private final URI uri;
    private final String pathAndQuery;
    private Channel channel;
    private volatile CompletableFuture<FullHttpResponse> pending;

    HttpPusher(EventLoopGroup group, URI uri) {
        this.group = group;
        this.uri = uri;
        this.pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /** POSTs {@code body} and waits up to 5 s for the answer. */
    Reply post(byte[] body) throws IOException, InterruptedException {
        return post(pathAndQuery, body);
    }

    /** POSTs {@code body} to another path and query of the same server. */
    Reply post(URI target, byte[] body) throws IOException, InterruptedException {
        return post(target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()), body);
    }

    private Reply post(String path, byte[] body) throws IOException, InterruptedException {
        Channel ch = connected();
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + port()
                        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuf request = Unpooled.wrappedBuffer(head, body);
        CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        pending = answer;
        long[] sentAt = new long[1];
        ch.eventLoop().execute(() -> {
            sentAt[0] = System.nanoTime();
            ch.writeAndFlush(request);
        });
        try {
            FullHttpResponse response = answer.get(5, TimeUnit.SECONDS);
            long repliedAt = System.nanoTime();
            try {
                return new Reply(
                        response.status().code(),
                        response.content().toString(StandardCharsets.UTF_8),
                        sentAt[0],
                        repliedAt);
            } finally {
                response.release();
            }
        } catch (ExecutionException | TimeoutException e) {
            ch.close();
            channel = null;
            throw new IOException("push not answered: " + e, e);
        }
    }

    private Channel connected() throws IOException, InterruptedException {
        if (channel != null && channel.isActive()) {
            return channel;
        }
        io.netty.channel.ChannelFuture connect = new Bootstrap()
                .group(group)
                .channel(Transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                // requests are written as bytes: only the answers are decoded
                                .addLast(new HttpResponseDecoder())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
                                        CompletableFuture<FullHttpResponse> answer = pending;
                                        if (answer == null || !answer.complete(msg.retain())) {
                                            msg.release();
                                        }
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        CompletableFuture<FullHttpResponse> answer = pending;
                                        if (answer != null) {
                                            answer.completeExceptionally(new IOException("connection closed"));
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                })
                .connect(uri.getHost(), port())
                .await();
        if (!connect.isSuccess()) {
            throw new IOException("cannot connect to " + uri + ": " + connect.cause(), connect.cause());
        }
        channel = connect.channel();
        return channel;
    }

    private int port() {
        return uri.getPort() < 0 ? 80 : uri.getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
