package io.goim.comet.it;

import io.goim.proto.frame.Frames;
import io.goim.proto.frame.Op;
import io.goim.proto.testclient.Received;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written byte by byte (RFC 6455), from any loopback address, that sends what a
 * hostile client sends: frames of any opcode, lengths that lie, fragments without end, or one byte at
 * a time. Reads on the caller's thread only when asked, so it can also be a client that never reads.
 */
final class RawWebSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int seq;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects from {@code localIp} (any address of 127.0.0.0/8) and completes the upgrade. */
    static RawWebSocket connect(String localIp, int port) {
        try {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(localIp, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            RawWebSocket ws = new RawWebSocket(socket);
            ws.out.write(("GET /sub HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            ws.out.flush();
            String response = ws.readHttpHead();
            if (!response.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("no upgrade: " + response);
            }
            return ws;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHttpHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** One masked frame, as a client must send it. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        writeHeader(frame, fin, opcode, payload.length);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    private static void writeHeader(ByteArrayOutputStream frame, boolean fin, int opcode, long length) {
        frame.write((fin ? 0x80 : 0) | opcode);
        if (length <= 125) {
            frame.write(0x80 | (int) length);
        } else if (length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write((int) (length >> 8));
            frame.write((int) length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (length >> shift));
            }
        }
    }

    /** A binary message holding one goim frame with the next seq. */
    static byte[] goim(int op, byte[] body, int seq) {
        return frame(true, 0x2, Frames.encode(1, op, seq, body));
    }

    void send(boolean fin, int opcode, byte[] payload) throws IOException {
        sendRaw(frame(fin, opcode, payload));
    }

    /** Sends op 7 with the token and returns comet's reply. */
    Received auth(String token) throws IOException {
        sendRaw(goim(Op.AUTH, token.getBytes(StandardCharsets.UTF_8), ++seq));
        return nextFrame();
    }

    /** The header of a masked binary frame that declares {@code length} bytes, and its mask; no payload. */
    void sendHeader(long length) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        writeHeader(header, true, 0x2, length);
        header.writeBytes(new byte[4]);
        sendRaw(header.toByteArray());
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next goim frame comet sent in a binary message. */
    Received nextFrame() throws IOException {
        while (true) {
            int opcode = in.readUnsignedByte() & 0x0F;
            byte[] payload = payload();
            if (opcode == 0x2) {
                return Received.of(Frames.decodeAll(payload).getFirst());
            }
            if (opcode == 0x8) {
                throw new IOException("closed with " + closeCode(payload));
            }
        }
    }

    /**
     * Reads until comet's close frame and returns its code, skipping anything else; -1 when the
     * connection ended without one, -2 when nothing ended it within {@code wait}.
     */
    int closeCode(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0F;
                byte[] payload = payload();
                if (opcode == 0x8) {
                    return closeCode(payload);
                }
            }
        } catch (EOFException e) {
            return -1;
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException reset) {
            return -1;
        }
    }

    private byte[] payload() throws IOException {
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return payload;
    }

    private static int closeCode(byte[] payload) {
        return payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
    }

    int nextSeq() {
        return ++seq;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
