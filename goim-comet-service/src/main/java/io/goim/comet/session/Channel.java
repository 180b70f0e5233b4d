package io.goim.comet.session;

import io.goim.proto.frame.Frame;
import java.util.Set;

/** One authenticated connection: who it is (mid, key), its room, and the operations it accepts. */
public final class Channel {
    private final long mid;
    private final String key;
    private final String roomId;
    private final Set<Integer> accepts;
    private final Outbound outbound;

    public Channel(long mid, String key, String roomId, Set<Integer> accepts, Outbound outbound) {
        this.mid = mid;
        this.key = key;
        this.roomId = roomId;
        this.accepts = Set.copyOf(accepts);
        this.outbound = outbound;
    }

    public long mid() {
        return mid;
    }

    public String key() {
        return key;
    }

    /** The room id, "" for none. */
    public String roomId() {
        return roomId;
    }

    /** Whether key pushes and broadcasts of this operation reach this channel (contract section 2). */
    public boolean accepts(int op) {
        return accepts.contains(op);
    }

    /** Writes a frame this channel now owns; false when it was dropped. */
    public boolean push(Frame frame) {
        return outbound.write(frame);
    }

    /** Closes the connection behind this channel. */
    public void close(String reason) {
        outbound.close(reason);
    }

    /** The transport behind a channel. */
    public interface Outbound {
        /** Takes ownership of {@code frame}: writes it, or releases it and returns false. */
        boolean write(Frame frame);

        void close(String reason);
    }
}
