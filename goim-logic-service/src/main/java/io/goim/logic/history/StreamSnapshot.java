package io.goim.logic.history;

import io.goim.proto.frame.Frame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stream's position and the messages Redis still keeps of it, oldest first, each an inner frame
 * whose seq is its offset (docs/recovery.md). An epoch of "" means no stream.
 */
record StreamSnapshot(String epoch, long offset, List<byte[]> frames) {
    static final StreamSnapshot NONE = new StreamSnapshot("", 0, List.of());

    static int seq(byte[] frame) {
        return ((frame[12] & 0xff) << 24) | ((frame[13] & 0xff) << 16) | ((frame[14] & 0xff) << 8) | (frame[15] & 0xff);
    }

    static int op(byte[] frame) {
        return ((frame[8] & 0xff) << 24) | ((frame[9] & 0xff) << 16) | ((frame[10] & 0xff) << 8) | (frame[11] & 0xff);
    }

    /**
     * What a client at {@code clientEpoch}/{@code clientOffset} missed: recovered when the epoch is
     * this one and every message after its offset is still kept (then those, in order), else not,
     * with the position only.
     */
    Recovery recover(String clientEpoch, long clientOffset) {
        if (clientEpoch == null
                || clientEpoch.isEmpty()
                || !clientEpoch.equals(epoch)
                || clientOffset < 0
                || clientOffset > offset) {
            return new Recovery(false, epoch, offset, new byte[0], 0);
        }
        List<byte[]> missed = after(clientOffset);
        if (!contiguous(missed, clientOffset)) {
            return new Recovery(false, epoch, offset, new byte[0], 0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        missed.forEach(out::writeBytes);
        return new Recovery(true, epoch, offset, out.toByteArray(), missed.size());
    }

    /**
     * The HTTP API's page: up to {@code limit} messages after {@code since}, oldest first;
     * recovered when none after {@code since} is missing (and {@code clientEpoch}, when given, is
     * this one). Of another epoch: the kept messages from the oldest.
     */
    HistoryPage page(String clientEpoch, long since, int limit) {
        boolean sameEpoch = clientEpoch == null || clientEpoch.isEmpty() || clientEpoch.equals(epoch);
        long from = sameEpoch ? since : 0;
        List<byte[]> after = after(from);
        boolean recovered = sameEpoch && from <= offset && contiguous(after, from);
        List<HistoryPage.Message> messages = new ArrayList<>();
        for (byte[] frame : after.subList(0, Math.min(limit, after.size()))) {
            messages.add(new HistoryPage.Message(
                    seq(frame), op(frame), Arrays.copyOfRange(frame, Frame.HEADER_LENGTH, frame.length)));
        }
        return new HistoryPage(epoch, offset, recovered, messages);
    }

    private List<byte[]> after(long since) {
        List<byte[]> after = new ArrayList<>();
        for (byte[] frame : frames) {
            if (frame.length >= Frame.HEADER_LENGTH && seq(frame) > since) {
                after.add(frame);
            }
        }
        return after;
    }

    /** Whether {@code after} holds exactly the offsets since + 1 .. offset. */
    private boolean contiguous(List<byte[]> after, long since) {
        if (after.size() != offset - since) {
            return false;
        }
        long expected = since + 1;
        for (byte[] frame : after) {
            if (seq(frame) != expected++) {
                return false;
            }
        }
        return true;
    }

    /** One stream's answer to a recover. */
    record Recovery(boolean recovered, String epoch, long offset, byte[] frames, int count) {}
}
