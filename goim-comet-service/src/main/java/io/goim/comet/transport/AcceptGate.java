package io.goim.comet.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure at accept for a connect storm: at most {@code maxPending} connections are between
 * accept and their auth reply (or close) at once; the ones accepted beyond that are <em>parked</em>:
 * accepted, nothing read from them and nothing of theirs set up (so no handshake timeout runs), and
 * started in the order they came as earlier ones get through. Only when {@code maxParked} are
 * parked do the listeners stop accepting (auto-read off on the server channels), until half of
 * those were started.
 *
 * <p>Without a bound a storm larger than what comet and logic handle in the handshake timeout
 * collapses: every accepted connection shares the event loops with every other, they all get their
 * op 8 late together, the handshake timeout closes them, and the work done for them is lost. The
 * clients that wait used to wait in the kernel's accept queue; but that queue holds {@code
 * net.core.somaxconn} (4,096 here): a storm of 18,000 at 3,000 a second on a fresh comet overflowed
 * it, and the kernel reset 1,402 connections (README, the fresh storm). A parked connection costs a
 * file descriptor and its channel, about as much as one waiting in the kernel.
 */
final class AcceptGate {
    private static final Logger log = LoggerFactory.getLogger(AcceptGate.class);
    private static final AttributeKey<AtomicBoolean> PENDING = AttributeKey.valueOf("goim-accept-pending");

    private final int high;
    private final int maxParked;
    private final AtomicInteger pending = new AtomicInteger();
    private final Queue<Parked> parked = new ConcurrentLinkedQueue<>();
    private final AtomicInteger parkedCount = new AtomicInteger();
    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private final Runnable onPause;
    private volatile boolean paused;

    private record Parked(Channel channel, Runnable start) {}

    /**
     * {@code maxPending} 0: no bound (nothing is parked). {@code maxParked} 0: park without bound.
     * {@code onPause} runs each time accepting stops.
     */
    AcceptGate(int maxPending, int maxParked, Runnable onPause) {
        this.high = maxPending;
        this.maxParked = maxParked;
        this.onPause = onPause;
    }

    /** A listener's server channel, to stop and resume. */
    void serve(Channel server) {
        servers.add(server);
        server.closeFuture().addListener(closed -> servers.remove(server));
    }

    /**
     * A connection just accepted, before anything was read from it (on its event loop, before it is
     * active). True: set it up now, it is pending until {@link #through} or its close. False: it is
     * parked, with auto-read off; {@code start} runs on its event loop when its turn comes, after
     * which it reads.
     */
    boolean accepted(Channel channel, Runnable start) {
        if (high <= 0) {
            // no bound: counted all the same (the gauge), never parked
            pending.incrementAndGet();
            track(channel);
            return true;
        }
        if (parkedCount.get() == 0 && enter()) {
            track(channel);
            return true;
        }
        channel.config().setAutoRead(false);
        parked.add(new Parked(channel, start));
        if (parkedCount.incrementAndGet() >= maxParked && maxParked > 0) {
            pause();
        }
        // what was pending may have got through meanwhile
        release();
        return false;
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

    int parked() {
        return parkedCount.get();
    }

    /** One more pending, unless {@code maxPending} are. */
    private boolean enter() {
        for (; ; ) {
            int now = pending.get();
            if (now >= high) {
                return false;
            }
            if (pending.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    private void track(Channel channel) {
        AtomicBoolean open = new AtomicBoolean(true);
        channel.attr(PENDING).set(open);
        channel.closeFuture().addListener(closed -> settle(open));
    }

    private void settle(AtomicBoolean open) {
        if (open.compareAndSet(true, false)) {
            pending.decrementAndGet();
            release();
        }
    }

    /** Starts parked connections, oldest first, while fewer than {@code maxPending} are pending. */
    private void release() {
        while (parkedCount.get() > 0 && enter()) {
            Parked next = parked.poll();
            if (next == null) {
                pending.decrementAndGet();
                break;
            }
            parkedCount.decrementAndGet();
            Channel channel = next.channel();
            if (!channel.isOpen()) {
                pending.decrementAndGet();
                continue;
            }
            // counted from here; closed meanwhile, its close listener settles it at once
            track(channel);
            channel.eventLoop().execute(() -> {
                if (channel.isOpen()) {
                    next.start().run();
                    channel.config().setAutoRead(true);
                }
            });
        }
        if (paused && parkedCount.get() <= maxParked / 2) {
            resume();
        }
    }

    private synchronized void pause() {
        if (!paused && parkedCount.get() >= maxParked) {
            paused = true;
            servers.forEach(server -> server.config().setAutoRead(false));
            onPause.run();
            log.debug("accepting paused pending={} parked={}", pending.get(), parkedCount.get());
        }
    }

    private synchronized void resume() {
        if (paused && parkedCount.get() <= maxParked / 2) {
            paused = false;
            servers.forEach(server -> server.config().setAutoRead(true));
            log.debug("accepting resumed pending={} parked={}", pending.get(), parkedCount.get());
        }
    }
}
