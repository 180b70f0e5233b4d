package io.goim.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The clients of one run: {@code clients} goim WebSocket clients, client i with mid {@code midBase
 * + i}, connected at {@code perSecond} (paced by the clock), all in {@code room}. Closing it closes
 * them and their event loops.
 */
final class Crowd implements AutoCloseable {
    final PushClientHandler.Tally tally;
    final long[] connectAt;
    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final CountDownLatch settled;
    private final double connectSeconds;

    private Crowd(
            EventLoopGroup group,
            List<Channel> channels,
            PushClientHandler.Tally tally,
            long[] connectAt,
            CountDownLatch settled,
            double connectSeconds) {
        this.group = group;
        this.channels = channels;
        this.tally = tally;
        this.connectAt = connectAt;
        this.settled = settled;
        this.connectSeconds = connectSeconds;
    }

    static Crowd connect(
            URI ws,
            String room,
            int clients,
            int perSecond,
            long midBase,
            int threads,
            PushClientHandler.Receipts receipts)
            throws InterruptedException {
        EventLoopGroup group = Transports.group(threads);
        List<Channel> channels = new ArrayList<>(clients);
        PushClientHandler.Tally tally = new PushClientHandler.Tally(clients);
        CountDownLatch settled = new CountDownLatch(clients);
        long[] connectAt = new long[clients];
        WsConnector connector = new WsConnector(group, ws);
        long start = System.nanoTime();
        long perConnect = TimeUnit.SECONDS.toNanos(1) / Math.max(1, perSecond);
        try {
            for (int i = 0; i < clients; i++) {
                // paced by the clock, not by sleeps of one connect's length: a late sleep catches up
                long wait = start + i * perConnect - System.nanoTime();
                if (wait > 200_000) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                PushClientHandler client =
                        new PushClientHandler(i, WsConnector.token(midBase + i, room), settled, tally, receipts);
                connectAt[i] = System.nanoTime();
                channels.add(connector.connect(client, client::failed));
            }
        } catch (InterruptedException | RuntimeException e) {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            throw e;
        }
        return new Crowd(group, channels, tally, connectAt, settled, (System.nanoTime() - start) / 1e9);
    }

    /** Waits until every client got op 8 or was closed; false when some did neither in time. */
    boolean awaitSettled(long millis) throws InterruptedException {
        if (settled.await(millis, TimeUnit.MILLISECONDS)) {
            return true;
        }
        System.err.printf("%d clients neither got op 8 nor were closed within %d ms%n", settled.getCount(), millis);
        return false;
    }

    /** The clients' event loops, for a pusher to share. */
    EventLoopGroup group() {
        return group;
    }

    int clients() {
        return connectAt.length;
    }

    double connectSeconds() {
        return connectSeconds;
    }

    @Override
    public void close() {
        channels.forEach(Channel::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
