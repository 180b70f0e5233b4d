package io.goim.job.room;

import java.util.List;

/**
 * Messages of one room merged into one op-9 body: whole inner frames back to back (contract section
 * 2), with the tickets of the messages it carries, in the order they were added.
 */
record RoomBatch<T>(String room, byte[] body, List<T> tickets) {
    int size() {
        return tickets.size();
    }
}
