package io.goim.proto.testclient;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A frame a test client received, bytes copied out, and when it arrived ({@link System#nanoTime()}). */
public record Received(int ver, int op, int seq, byte[] body, long nanos) {
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The 4-byte count of a heartbeat reply. */
    public int count() {
        return ByteBuffer.wrap(body).getInt();
    }

    /** The inner frames of an op-9 frame. */
    public List<Received> inner() {
        return Frames.decodeAll(body).stream().map(Received::of).toList();
    }

    public static Received of(Frame frame) {
        return new Received(
                frame.ver(), frame.op(), frame.seq(), ByteBufUtil.getBytes(frame.content()), System.nanoTime());
    }
}
