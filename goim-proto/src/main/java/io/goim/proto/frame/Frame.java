package io.goim.proto.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One goim frame: header fields and a body buffer (contract section 2). Reference counted through
 * its body: whoever reads a frame last releases it.
 */
public final class Frame extends DefaultByteBufHolder {
    /** Length of the fixed header: packLen 4, headerLen 2, ver 2, op 4, seq 4. */
    public static final int HEADER_LENGTH = 16;
    /** Largest body goim accepts from a client (4 KiB). */
    public static final int MAX_CLIENT_BODY = 4096;
    /** Largest packLen goim accepts from a client. */
    public static final int MAX_CLIENT_PACK_LENGTH = HEADER_LENGTH + MAX_CLIENT_BODY;
    /** The protocol version clients send and servers write. */
    public static final int VERSION = 1;

    private final int ver;
    private final int op;
    private final int seq;

    public Frame(int ver, int op, int seq, ByteBuf body) {
        super(body);
        this.ver = ver;
        this.op = op;
        this.seq = seq;
    }

    /** A frame with the current version and no body. */
    public static Frame empty(int op, int seq) {
        return new Frame(VERSION, op, seq, Unpooled.EMPTY_BUFFER);
    }

    public int ver() {
        return ver;
    }

    public int op() {
        return op;
    }

    public int seq() {
        return seq;
    }

    /** Whole frame length as written on the wire: header plus body. */
    public int packLength() {
        return HEADER_LENGTH + content().readableBytes();
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(ver, op, seq, content);
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public Frame retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public String toString() {
        return "Frame[ver=" + ver + ", op=" + op + ", seq=" + seq + ", bodyLength="
                + content().readableBytes() + "]";
    }
}
