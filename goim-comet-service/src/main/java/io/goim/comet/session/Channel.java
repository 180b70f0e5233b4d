package io.goim.comet.session;

import io.goim.proto.frame.Frame;
import io.netty.buffer.ByteBuf;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One authenticated connection: who it is (mid, key), its room, and the operations it accepts for
 * key pushes and broadcasts (contract section 2). The room and the accepted set change on the
 * connection's own thread (ops 12, 14, 16); pushes read them from any thread.
 */
public final class Channel {
    private final long mid;
    private final String key;
    private final String ip;
    private final Set<Integer> accepts = ConcurrentHashMap.newKeySet();
    private final Outbound outbound;
    private volatile String roomId;

    public Channel(long mid, String key, String roomId, Iterable<Integer> accepts, String ip, Outbound outbound) {
        this.mid = mid;
        this.key = key;
        this.roomId = roomId == null ? "" : roomId;
        this.ip = ip;
        this.outbound = outbound;
        accepts.forEach(this.accepts::add);
    }

    public long mid() {
        return mid;
    }

    public String key() {
        return key;
    }

    /** The client's IP address. */
    public String ip() {
        return ip;
    }

    /** The room id, "" for none. */
    public String roomId() {
        return roomId;
    }

    /** Only {@link Bucket} moves a channel between rooms, so that its room sets stay right. */
    void roomId(String roomId) {
        this.roomId = roomId;
    }

    /** Whether key pushes and broadcasts of this operation reach this channel (contract section 2). */
    public boolean accepts(int op) {
        return accepts.contains(op);
    }

    public void accept(int op) {
        accepts.add(op);
    }

    public void refuse(int op) {
        accepts.remove(op);
    }

    /** Writes a frame this channel now owns, from any thread; false when it was dropped. */
    public boolean push(Frame frame) {
        return outbound.write(frame);
    }

    /** How this channel's transport lays a frame out on the wire; channels with equal keys share it. */
    Object encodingKey() {
        return outbound.encodingKey();
    }

    /** {@code frame} as this channel's transport writes it; the caller owns the returned buffer. */
    ByteBuf encode(Frame frame) {
        return outbound.encode(frame);
    }

    /** Writes bytes made by {@link #encode} for a channel with the same key; takes ownership. */
    boolean pushEncoded(ByteBuf wire) {
        return outbound.writeEncoded(wire);
    }

    /** The thread this channel's writes run on: a fan-out sends one task per executor, not per channel. */
    public Executor executor() {
        return outbound.executor();
    }

    /** Closes the connection behind this channel. */
    public void close(CloseReason reason) {
        outbound.close(reason);
    }

    /** The transport behind a channel. */
    public interface Outbound {
        /** Takes ownership of {@code frame}: queues it for writing, or releases it and returns false. */
        boolean write(Frame frame);

        /** Equal for every outbound that encodes frames the same way (its transport). */
        Object encodingKey();

        /** The wire bytes of {@code frame} for this transport; the caller owns them. */
        ByteBuf encode(Frame frame);

        /** Takes ownership of wire bytes from {@link #encode}: queues them, or releases them. */
        boolean writeEncoded(ByteBuf wire);

        Executor executor();

        void close(CloseReason reason);
    }
}
