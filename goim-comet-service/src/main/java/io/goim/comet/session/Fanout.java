package io.goim.comet.session;

import io.goim.proto.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Writes one frame to many channels: the frame is encoded once per transport and event loop, and
 * each channel gets a retained duplicate of those wire bytes (no copy of the payload, no encoding
 * per channel); the channels are grouped by the thread that writes them, so a fan-out costs one
 * task per event loop, not one per channel. Called on an event loop that owns some of the
 * channels, it writes those itself, after handing the other loops their share.
 */
public final class Fanout {
    private final Map<Executor, Part> byExecutor = new IdentityHashMap<>();
    private final boolean stream;
    private int size;

    /** A fan-out of pushes that are no stream's (broadcasts): never held for a recovering channel. */
    public Fanout() {
        this(false);
    }

    /**
     * @param stream a room's messages: a channel that recovers holds them (docs/recovery.md)
     */
    public Fanout(boolean stream) {
        this.stream = stream;
    }

    public void add(Channel channel) {
        part(channel.executor()).channels.add(channel);
        size++;
    }

    /**
     * Adds a live set of channels that {@code executor} writes, read when that executor writes its
     * share: a channel that joins or leaves it meanwhile may or may not get the frame, as if it had
     * done so just before or just after. So the caller hands over a room's sets without going through
     * its channels; each event loop goes through its own.
     */
    public void addAll(Executor executor, Collection<Channel> channels) {
        part(executor).sets.add(channels);
        size += channels.size();
    }

    private Part part(Executor executor) {
        return byExecutor.computeIfAbsent(executor, e -> new Part());
    }

    /** Channels added so far. */
    public int size() {
        return size;
    }

    /** Writes {@code frame} to every channel added; takes ownership of {@code frame}. */
    public void write(Frame frame) {
        write(frame, nanos -> {});
    }

    /**
     * Writes {@code frame} to every channel added and tells {@code done} how long it took, in
     * nanoseconds, until the last event loop had handed its writes to the transport.
     */
    public void write(Frame frame, LongConsumer done) {
        long start = System.nanoTime();
        AtomicInteger loops = new AtomicInteger(byExecutor.size());
        if (byExecutor.isEmpty()) {
            done.accept(0);
        }
        Share here = null;
        try {
            for (Map.Entry<Executor, Part> entry : byExecutor.entrySet()) {
                Executor executor = entry.getKey();
                Share share = new Share(frame.retainedDuplicate(), entry.getValue(), stream, loops, start, done);
                if (executor instanceof EventExecutor loop && loop.inEventLoop()) {
                    // this thread's own connections: written once the other loops have their tasks
                    here = share;
                    continue;
                }
                try {
                    executor.execute(share);
                } catch (RuntimeException rejected) {
                    // the event loop is shutting down: its channels are closing anyway
                    share.discard();
                }
            }
        } finally {
            frame.release();
        }
        if (here != null) {
            here.run();
        }
    }

    /** One event loop's channels: added one by one, and live sets. */
    private static final class Part {
        final List<Channel> channels = new ArrayList<>();
        final List<Collection<Channel>> sets = new ArrayList<>(2);
    }

    /** One event loop's part of a fan-out. */
    private record Share(Frame shared, Part part, boolean stream, AtomicInteger loops, long start, LongConsumer done)
            implements Runnable {
        @Override
        public void run() {
            // the wire bytes are made once per transport, then every channel of this event loop
            // writes a retained duplicate of them
            Map<Object, ByteBuf> encoded = new HashMap<>(4);
            try {
                for (Channel channel : part.channels) {
                    write(channel, encoded);
                }
                for (Collection<Channel> set : part.sets) {
                    for (Channel channel : set) {
                        write(channel, encoded);
                    }
                }
            } finally {
                encoded.values().forEach(ByteBuf::release);
                shared.release();
                if (loops.decrementAndGet() == 0) {
                    done.accept(System.nanoTime() - start);
                }
            }
        }

        private void write(Channel channel, Map<Object, ByteBuf> encoded) {
            if (stream && channel.holding()) {
                channel.deliver(shared.retainedDuplicate());
                return;
            }
            ByteBuf wire = encoded.computeIfAbsent(channel.encodingKey(), k -> channel.encode(shared));
            channel.pushEncoded(wire.retainedDuplicate());
        }

        void discard() {
            shared.release();
            loops.decrementAndGet();
        }
    }
}
