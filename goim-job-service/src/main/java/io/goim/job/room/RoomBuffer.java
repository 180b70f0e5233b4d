package io.goim.job.room;

import java.util.ArrayList;
import java.util.List;
import reactor.core.Disposable;

/** What {@link RoomMerger} keeps per room: the messages waiting and when the room last moved. */
final class RoomBuffer<T> {
    final String room;
    private List<RoomMessage> messages = new ArrayList<>();
    private List<T> tickets = new ArrayList<>();
    /** Scheduler time (nanoseconds) of the last message added. */
    long lastMessage;
    /** Scheduler time (nanoseconds) at which the room is due to flush again (see RoomMerger). */
    long due;
    /** The pending flush, set while messages wait. */
    Disposable signal;

    RoomBuffer(String room, long quietSince) {
        this.room = room;
        this.lastMessage = quietSince;
        this.due = quietSince;
    }

    void add(RoomMessage message, T ticket) {
        messages.add(message);
        tickets.add(ticket);
    }

    int size() {
        return tickets.size();
    }

    /** The waiting messages as one batch; the buffer is empty afterwards. */
    RoomBatch<T> drain() {
        RoomBatch<T> batch = new RoomBatch<>(room, messages, tickets);
        messages = new ArrayList<>();
        tickets = new ArrayList<>();
        return batch;
    }
}
