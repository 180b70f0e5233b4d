package io.goim.proto.frame;

import io.netty.buffer.ByteBuf;

/** Reads, checks and writes the 16-byte header exactly as goim does (contract section 2). */
final class FrameHeader {
    static final int PACK_OFFSET = 0;
    static final int HEADER_OFFSET = 4;
    static final int VER_OFFSET = 6;
    static final int OP_OFFSET = 8;
    static final int SEQ_OFFSET = 12;

    private FrameHeader() {}

    /**
     * goim's checks, in goim's order, on a header that starts at {@code index}: packLen within
     * [16, maxPackLength], headerLen equal to 16. goim lets a packLen under 16 through as an empty
     * body; no goim client writes one, and it is refused here (issue 14).
     */
    static void check(ByteBuf in, int index, int maxPackLength) {
        int packLength = in.getInt(index + PACK_OFFSET);
        if (packLength < 0) {
            throw new FrameDecodeException(FrameError.PACK_LENGTH_NEGATIVE, "packLen " + packLength);
        }
        if (packLength < Frame.HEADER_LENGTH) {
            throw new FrameDecodeException(
                    FrameError.PACK_LENGTH_TOO_SMALL, "packLen " + packLength + " is shorter than the header");
        }
        if (packLength > maxPackLength) {
            throw new FrameDecodeException(
                    FrameError.PACK_LENGTH_TOO_LARGE, "packLen " + packLength + " exceeds " + maxPackLength);
        }
        int headerLength = in.getShort(index + HEADER_OFFSET);
        if (headerLength != Frame.HEADER_LENGTH) {
            throw new FrameDecodeException(FrameError.HEADER_LENGTH, "headerLen " + headerLength + " is not 16");
        }
    }

    /** Body length of a checked header. */
    static int bodyLength(ByteBuf in, int index) {
        return in.getInt(index + PACK_OFFSET) - Frame.HEADER_LENGTH;
    }

    /** Reads a checked frame starting at the reader index and advances past it. */
    static Frame read(ByteBuf in) {
        int index = in.readerIndex();
        int bodyLength = bodyLength(in, index);
        int ver = in.getShort(index + VER_OFFSET);
        int op = in.getInt(index + OP_OFFSET);
        int seq = in.getInt(index + SEQ_OFFSET);
        in.skipBytes(Frame.HEADER_LENGTH);
        return new Frame(ver, op, seq, in.readRetainedSlice(bodyLength));
    }

    static void write(ByteBuf out, int bodyLength, int ver, int op, int seq) {
        out.writeInt(Frame.HEADER_LENGTH + bodyLength);
        out.writeShort(Frame.HEADER_LENGTH);
        out.writeShort(ver);
        out.writeInt(op);
        out.writeInt(seq);
    }
}
