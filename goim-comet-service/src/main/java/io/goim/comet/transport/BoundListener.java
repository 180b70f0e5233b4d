package io.goim.comet.transport;

import reactor.netty.DisposableServer;

/** A {@link Listener} backed by a Reactor Netty server: what the transports share once bound. */
public abstract class BoundListener implements Listener {
    private volatile DisposableServer server;

    /** Binds the transport's server; the subclass adds host:port to a failure. */
    protected abstract DisposableServer bindServer();

    @Override
    public final void bind() {
        server = bindServer();
    }

    @Override
    public final int port() {
        DisposableServer bound = server;
        return bound == null ? -1 : bound.port();
    }

    @Override
    public final void unbind() {
        DisposableServer bound = server;
        if (bound != null) {
            bound.disposeNow();
            server = null;
        }
    }
}
