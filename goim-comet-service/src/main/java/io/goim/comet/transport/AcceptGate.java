package io.goim.comet.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure at accept for a connect storm: counts the connections between accept and their
 * auth reply (or close), and while {@code maxPending} are, stops every listener from accepting
 * (auto-read off on the server channels) until half of them are through.
 *
 * <p>Without it a storm larger than what comet and logic handle in the handshake timeout collapses:
 * every accepted connection shares the event loops with every other, they all get their op 8
 * late together, the handshake timeout closes them, and the work done for them is lost. With it
 * the clients that wait, wait in the kernel's accept queue, where no timeout of comet's runs, and
 * the ones accepted are served at once.
 */
final class AcceptGate {
    private static final Logger log = LoggerFactory.getLogger(AcceptGate.class);
    private static final AttributeKey<AtomicBoolean> PENDING = AttributeKey.valueOf("goim-accept-pending");

    private final int high;
    private final int low;
    private final AtomicInteger pending = new AtomicInteger();
    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private final Runnable onPause;
    private boolean paused;

    /** {@code maxPending} 0: no bound. {@code onPause} runs each time accepting stops. */
    AcceptGate(int maxPending, Runnable onPause) {
        this.high = maxPending;
        this.low = maxPending / 2;
        this.onPause = onPause;
    }

    /** A listener's server channel, to stop and resume. */
    void serve(Channel server) {
        servers.add(server);
        server.closeFuture().addListener(closed -> servers.remove(server));
    }

    /** A connection just accepted: pending until {@link #through} or its close. */
    void accepted(Channel channel) {
        AtomicBoolean open = new AtomicBoolean(true);
        channel.attr(PENDING).set(open);
        channel.closeFuture().addListener(closed -> settle(open));
        if (pending.incrementAndGet() >= high && high > 0) {
            pause();
        }
    }

    /** The connection got its auth reply: no longer pending. */
    void through(Channel channel) {
        AtomicBoolean open = channel.attr(PENDING).get();
        if (open != null) {
            settle(open);
        }
    }

    int pending() {
        return pending.get();
    }

    private void settle(AtomicBoolean open) {
        if (open.compareAndSet(true, false) && pending.decrementAndGet() <= low && high > 0) {
            resume();
        }
    }

    private synchronized void pause() {
        if (!paused && pending.get() >= high) {
            paused = true;
            servers.forEach(server -> server.config().setAutoRead(false));
            onPause.run();
            log.debug("accepting paused pending={}", pending.get());
        }
    }

    private synchronized void resume() {
        if (paused && pending.get() <= low) {
            paused = false;
            servers.forEach(server -> server.config().setAutoRead(true));
            log.debug("accepting resumed pending={}", pending.get());
        }
    }
}
