package io.goim.comet.session;

import io.goim.proto.frame.Frame;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Writes one frame to many channels: the frame is encoded once and each channel gets a retained
 * duplicate (no copy of the payload), and the channels are grouped by the thread that writes them,
 * so a fan-out costs one task per event loop, not one per channel.
 */
public final class Fanout {
    private final Map<Executor, List<Channel>> byExecutor = new IdentityHashMap<>();
    private int size;

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
        try {
            byExecutor.forEach((executor, channels) -> {
                Frame shared = frame.retainedDuplicate();
                try {
                    executor.execute(() -> {
                        try {
                            for (Channel channel : channels) {
                                channel.push(shared.retainedDuplicate());
                            }
                        } finally {
                            shared.release();
                        }
                    });
                } catch (RuntimeException rejected) {
                    // the event loop is shutting down: its channels are closing anyway
                    shared.release();
                }
            });
        } finally {
            frame.release();
        }
    }
}
