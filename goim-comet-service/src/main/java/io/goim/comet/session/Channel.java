package io.goim.comet.session;

import io.goim.proto.frame.Frame;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * One authenticated connection: who it is (mid, key), its room, and the operations it accepts for
 * key pushes and broadcasts (contract section 2). The room and the accepted set change on the
 * connection's own thread (ops 12, 14, 16); pushes read them from any thread.
 */
public final class Channel {
    /** Deliveries held for one recovering connection at most (docs/recovery.md). */
    public static final int MAX_HELD = 1000;

    private final long mid;
    private final String key;
    private final String ip;
    /**
     * Sorted, replaced whole on a change (on the connection's thread), read from any thread: a
     * client accepts a handful of operations, and a set per connection cost a few hundred bytes
     * of every idle connection's heap.
     */
    private volatile int[] accepts;

    private final Outbound outbound;
    private volatile String roomId;

    /**
     * Recovery (docs/recovery.md): room and user deliveries held while the connection recovers, in
     * order; null when not holding. Read and written on the connection's event loop only (the
     * fan-out's writes for a channel run there, and so does the recover).
     */
    private List<Frame> held;

    /** The connection sent op 18: its pushes by mids come as op 20 with the user offset. */
    private volatile boolean userStream;

    public Channel(long mid, String key, String roomId, Iterable<Integer> accepts, String ip, Outbound outbound) {
        this.mid = mid;
        this.key = key;
        this.roomId = roomId == null ? "" : roomId;
        this.ip = ip;
        this.outbound = outbound;
        int[] ops = new int[0];
        for (int op : accepts) {
            ops = with(ops, op);
        }
        this.accepts = ops;
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
        return Arrays.binarySearch(accepts, op) >= 0;
    }

    public void accept(int op) {
        accepts = with(accepts, op);
    }

    public void refuse(int op) {
        int at = Arrays.binarySearch(accepts, op);
        if (at >= 0) {
            int[] ops = new int[accepts.length - 1];
            System.arraycopy(accepts, 0, ops, 0, at);
            System.arraycopy(accepts, at + 1, ops, at, ops.length - at);
            accepts = ops;
        }
    }

    private static int[] with(int[] ops, int op) {
        int at = Arrays.binarySearch(ops, op);
        if (at >= 0) {
            return ops;
        }
        int insert = -at - 1;
        int[] more = new int[ops.length + 1];
        System.arraycopy(ops, 0, more, 0, insert);
        more[insert] = op;
        System.arraycopy(ops, insert, more, insert + 1, ops.length - insert);
        return more;
    }

    /** Whether the connection has sent op 18, so that pushes by mids reach it as op 20. */
    public boolean userStream() {
        return userStream;
    }

    public void userStream(boolean on) {
        userStream = on;
    }

    /** Starts holding room and user deliveries (on the connection's event loop). */
    public void hold() {
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    /** Whether deliveries are held now (on the connection's event loop). */
    public boolean holding() {
        return held != null;
    }

    /**
     * A room or user delivery on the connection's event loop: held while recovering (past {@value
     * #MAX_HELD} the connection is closed, so that the client recovers again), else written.
     * Takes ownership of {@code frame}.
     */
    public boolean deliver(Frame frame) {
        if (held == null) {
            return outbound.write(frame);
        }
        if (held.size() >= MAX_HELD) {
            frame.release();
            close(CloseReason.RECOVER_FAILED);
            return false;
        }
        held.add(frame);
        return true;
    }

    /** Stops holding; the caller owns the frames held, in order. */
    public List<Frame> release() {
        List<Frame> frames = held == null ? List.of() : held;
        held = null;
        return frames;
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
