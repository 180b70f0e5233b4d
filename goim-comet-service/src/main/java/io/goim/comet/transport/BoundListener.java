package io.goim.comet.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Listener} on comet's event loops ({@link IoLoops}): a Netty server whose connections
 * get the transport's pipeline from {@link #initChannel}, and count for the accept gate from the
 * moment they are accepted.
 *
 * <p>A plain Netty server rather than Reactor Netty's TCP or HTTP server, on Reactor Netty's
 * loops: those servers keep, for the whole life of every connection, their channel operations and
 * the subscriptions that watch them (a class histogram of 5,000 idle connections counted about
 * 1.2 KB of heap each in Reactor's operators alone, and 1 KB more for the HTTP server's retained
 * request), and comet needs none of it: goim's handlers do all the reading and writing.
 */
public abstract class BoundListener implements Listener {
    private static final Logger log = LoggerFactory.getLogger(BoundListener.class);

    private final String host;
    private final int configuredPort;
    private final IoLoops loops;
    private final Connections connections;
    private volatile Channel server;

    protected BoundListener(String host, int port, IoLoops loops, Connections connections) {
        this.host = host;
        this.configuredPort = port;
        this.loops = loops;
        this.connections = connections;
    }

    /** An accepted connection's pipeline, set up before anything is read from it. */
    protected abstract void initChannel(Channel channel);

    /** What the listener logs once bound, after its transport and port (e.g. the WebSocket path). */
    protected String describe() {
        return "";
    }

    @Override
    public final void bind() {
        ChannelFuture bound = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        // in a connect storm it is parked, and set up when its turn comes
                        if (connections.accepted(channel, () -> BoundListener.this.initChannel(channel))) {
                            BoundListener.this.initChannel(channel);
                        }
                    }
                })
                .bind(host, configuredPort)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException(
                    "cannot bind " + transport().tag() + " listener on " + host + ":" + configuredPort, bound.cause());
        }
        server = bound.channel();
        connections.serving(server);
        log.info("comet {} listening address={} port={}{}", transport().tag(), host, port(), describe());
    }

    @Override
    public final int port() {
        Channel bound = server;
        return bound == null ? -1 : ((InetSocketAddress) bound.localAddress()).getPort();
    }

    @Override
    public final void unbind() {
        Channel bound = server;
        if (bound != null) {
            bound.close().syncUninterruptibly();
            server = null;
        }
    }

    protected final Connections connections() {
        return connections;
    }
}
