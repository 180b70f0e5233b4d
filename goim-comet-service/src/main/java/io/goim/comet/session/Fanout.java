package io.goim.comet.session;

import io.goim.proto.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
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
    private final Map<Executor, List<Channel>> byExecutor = new IdentityHashMap<>();
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
        byExecutor.computeIfAbsent(channel.executor(), e -> new ArrayList<>()).add(channel);
        size++;
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
            for (Map.Entry<Executor, List<Channel>> entry : byExecutor.entrySet()) {
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

    /** One event loop's part of a fan-out. */
    private record Share(
            Frame shared, List<Channel> channels, boolean stream, AtomicInteger loops, long start, LongConsumer done)
            implements Runnable {
        @Override
        public void run() {
            // the wire bytes are made once per transport, then every channel of this event loop
            // writes a retained duplicate of them
            Map<Object, ByteBuf> encoded = new HashMap<>(4);
            try {
                for (Channel channel : channels) {
                    if (stream && channel.holding()) {
                        channel.deliver(shared.retainedDuplicate());
                        continue;
                    }
                    ByteBuf wire = encoded.computeIfAbsent(channel.encodingKey(), k -> channel.encode(shared));
                    channel.pushEncoded(wire.retainedDuplicate());
                }
            } finally {
                encoded.values().forEach(ByteBuf::release);
                shared.release();
                if (loops.decrementAndGet() == 0) {
                    done.accept(System.nanoTime() - start);
                }
            }
        }

        void discard() {
            shared.release();
            loops.decrementAndGet();
        }
    }
}
