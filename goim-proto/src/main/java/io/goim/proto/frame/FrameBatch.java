package io.goim.proto.frame;

import java.io.ByteArrayOutputStream;

/**
 * Builds the body of an op-9 frame: whole inner frames back to back, each {ver 1, op, seq 0, body}
 * (contract section 2, "Delivery"). job builds one per push, or one per merged room batch.
 */
public final class FrameBatch {
    private final ByteArrayOutputStream out;
    private int count;

    public FrameBatch() {
        this(256);
    }

    public FrameBatch(int expectedBytes) {
        this.out = new ByteArrayOutputStream(expectedBytes);
    }

    /** The op-9 body that carries one message. */
    public static byte[] of(int op, byte[] body) {
        return new FrameBatch(Frame.HEADER_LENGTH + body.length).add(op, body).toByteArray();
    }

    /** Appends the inner frame {ver 1, op, seq 0, body}. */
    public FrameBatch add(int op, byte[] body) {
        return add(op, 0, body);
    }

    /** Appends the inner frame {ver 1, op, seq, body}; seq is a stream offset (docs/recovery.md). */
    public FrameBatch add(int op, int seq, byte[] body) {
        out.writeBytes(Frames.encode(Frame.VERSION, op, seq, body));
        count++;
        return this;
    }

    /** Number of inner frames added so far. */
    public int size() {
        return count;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
