package io.goim.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** goim's frame header (contract section 2), written and read by hand. */
final class Wire {
    static final int HEADER = 16;
    static final int OP_HEARTBEAT = 2;
    static final int OP_HEARTBEAT_REPLY = 3;
    static final int OP_AUTH = 7;
    static final int OP_AUTH_REPLY = 8;
    static final int OP_RAW = 9;
    /** The body prefix of a bench push; the push number follows in decimal. */
    static final String PREFIX = "goim-bench ";

    private Wire() {}

    static ByteBuf frame(ByteBufAllocator alloc, int op, int seq, byte[] body) {
        ByteBuf buf = alloc.buffer(HEADER + body.length);
        writeHeader(buf, op, seq, body.length);
        return buf.writeBytes(body);
    }

    static void writeHeader(ByteBuf buf, int op, int seq, int bodyLength) {
        buf.writeInt(HEADER + bodyLength)
                .writeShort(HEADER)
                .writeShort(1)
                .writeInt(op)
                .writeInt(seq);
    }

    static byte[] body(int push) {
        return (PREFIX + push).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The push number in one WebSocket message, or -1: the message is either a frame whose body is
     * a bench push, or an op-9 frame whose body holds inner frames back to back.
     */
    static int pushNumber(ByteBuf message) {
        int at = message.readerIndex();
        int end = message.writerIndex();
        while (end - at >= HEADER) {
            int packLen = message.getInt(at);
            int headerLen = message.getUnsignedShort(at + 4);
            int op = message.getInt(at + 8);
            if (packLen < headerLen || at + packLen > end) {
                return -1;
            }
            if (op == OP_RAW) {
                // descend into the inner frames
                at += headerLen;
                end = Math.min(end, at - headerLen + packLen);
                continue;
            }
            int number = parse(message, at + headerLen, at + packLen);
            if (number >= 0) {
                return number;
            }
            at += packLen;
        }
        return -1;
    }

    /**
     * Every push number in one WebSocket message, in order: a frame whose body is a bench push, or
     * an op-9 frame whose body holds such frames back to back (a batch of merged room messages).
     */
    static void forEachPush(ByteBuf message, java.util.function.IntConsumer push) {
        forEachPush(message, message.readerIndex(), message.writerIndex(), push);
    }

    private static void forEachPush(ByteBuf message, int at, int end, java.util.function.IntConsumer push) {
        while (end - at >= HEADER) {
            int packLen = message.getInt(at);
            int headerLen = message.getUnsignedShort(at + 4);
            int op = message.getInt(at + 8);
            if (packLen < headerLen || headerLen < HEADER || at + packLen > end) {
                return;
            }
            if (op == OP_RAW) {
                forEachPush(message, at + headerLen, at + packLen, push);
            } else {
                int number = parse(message, at + headerLen, at + packLen);
                if (number >= 0) {
                    push.accept(number);
                }
            }
            at += packLen;
        }
    }

    static int op(ByteBuf message) {
        return message.readableBytes() >= HEADER ? message.getInt(message.readerIndex() + 8) : -1;
    }

    private static int parse(ByteBuf buf, int from, int to) {
        int prefix = PREFIX.length();
        if (to - from <= prefix) {
            return -1;
        }
        for (int i = 0; i < prefix; i++) {
            if (buf.getByte(from + i) != PREFIX.charAt(i)) {
                return -1;
            }
        }
        int n = 0;
        for (int i = from + prefix; i < to; i++) {
            int d = buf.getByte(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }
}
