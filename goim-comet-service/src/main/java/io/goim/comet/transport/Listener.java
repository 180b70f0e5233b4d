package io.goim.comet.transport;

/** One client listener (WebSocket, WebSocket over TLS, TCP), bound by {@link Listeners}. */
public interface Listener {
    Transport transport();

    /** Binds the port; fails with host:port in the message when it cannot. */
    void bind();

    /** The bound port, which differs from the configured one when that is 0; -1 before binding. */
    int port();

    /** Stops accepting and releases the port. */
    void unbind();
}
