package io.goim.job.room;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.FrameBatch;
import java.util.List;

/**
 * Messages of one room, in the order they were added, with the tickets of the records they came in;
 * sent as one op-9 body of whole inner frames back to back (contract section 2).
 */
record RoomBatch<T>(String room, List<RoomMessage> messages, List<T> tickets) {
    int size() {
        return tickets.size();
    }

    /** The op-9 body with inner seq 0 (unnumbered, as goim). */
    byte[] body() {
        return body(new int[messages.size()]);
    }

    /** The op-9 body whose inner frames carry {@code seqs}, index for index (docs/recovery.md). */
    byte[] body(int[] seqs) {
        int bytes = 0;
        for (RoomMessage message : messages) {
            bytes += Frame.HEADER_LENGTH + message.body().length;
        }
        FrameBatch frames = new FrameBatch(bytes);
        for (int i = 0; i < messages.size(); i++) {
            RoomMessage message = messages.get(i);
            frames.add(message.op(), seqs[i], message.body());
        }
        return frames.toByteArray();
    }
}
