package io.goim.comet.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import reactor.netty.resources.LoopResources;

/**
 * The event loops of every comet listener (TCP, WebSocket, WebSocket over TLS) and of comet's gRPC
 * server: one group, a thread per core by default ({@code goim.comet.io.threads}).
 *
 * <p>One group for both means a push that job sends arrives on a thread that also owns some of
 * the push's connections: that share is written at once, on the same thread, while the other
 * loops are woken for theirs. Apart, the gRPC server's own threads would have to wake every
 * connection loop for each push, and the connection loops (Reactor Netty's default is at least
 * four, one group for HTTP and another for TCP) would outnumber the cores.
 */
public final class IoLoops implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(IoLoops.class);

    private final LoopResources loops;

    /** {@code threads} 0: one per available processor. */
    public IoLoops(int threads) {
        int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.loops = LoopResources.create("goim-comet-io", count, true);
        log.info("comet io event loops threads={} native={}", count, LoopResources.hasNativeSupport() ? "yes" : "no");
    }

    /** For Reactor Netty servers' {@code runOn}. */
    public LoopResources resources() {
        return loops;
    }

    /** The event loop group itself, for the gRPC server's boss and workers. */
    public EventLoopGroup group() {
        return loops.onServer(true);
    }

    /** The server socket channel class that fits {@link #group()} (epoll where available). */
    public Class<? extends ServerChannel> serverChannelType() {
        return loops.onChannelClass(ServerSocketChannel.class, group());
    }

    /** The client socket channel class that fits {@link #group()}, for gRPC channels to logic. */
    public Class<? extends Channel> socketChannelType() {
        return loops.onChannelClass(SocketChannel.class, group());
    }

    @Override
    public void destroy() {
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }
}
