package io.goim.e2e;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.goim.proto.frame.Op;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client that speaks goim's frames as goim's JavaScript client does: one frame per
 * binary message, op 7 with the JSON token, op 2 heartbeats.
 */
final class GoimClient implements AutoCloseable {
    /** A frame the server sent, bytes copied out. */
    record Received(int ver, int op, int seq, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The inner frames of an op-9 frame. */
        List<Received> inner() {
            return Frames.decodeAll(body).stream().map(Received::of).toList();
        }

        static Received of(Frame frame) {
            return new Received(frame.ver(), frame.op(), frame.seq(), ByteBufUtil.getBytes(frame.content()));
        }
    }

    private final WebSocket socket;
    private final BlockingQueue<Received> received;
    private int seq;

    private GoimClient(WebSocket socket, BlockingQueue<Received> received) {
        this.socket = socket;
        this.received = received;
    }

    static GoimClient connect(int port) {
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/sub"), new Collector(received))
                .join();
        return new GoimClient(socket, received);
    }

    /** Sends op 7 with goim's JSON token and returns the reply frame. */
    Received auth(String token) throws InterruptedException {
        send(Op.AUTH, token.getBytes(StandardCharsets.UTF_8));
        return next();
    }

    /** Sends op 2 and returns the reply frame. */
    Received heartbeat() throws InterruptedException {
        send(Op.HEARTBEAT, new byte[0]);
        return next();
    }

    void send(int op, byte[] body) {
        socket.sendBinary(ByteBuffer.wrap(Frames.encode(1, op, ++seq, body)), true)
                .join();
    }

    int lastSeq() {
        return seq;
    }

    /** The next frame, waiting at most 10 s; fails when none came. */
    Received next() throws InterruptedException {
        Received frame = received.poll(10, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame from comet within 10 s");
        }
        return frame;
    }

    /** Frames received and not yet taken. */
    int pending() {
        return received.size();
    }

    boolean isClosed() {
        return socket.isInputClosed();
    }

    @Override
    public void close() {
        socket.abort();
    }

    /** Reassembles binary messages and parses each as one goim frame. */
    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<Received> received;
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();

        Collector(BlockingQueue<Received> received) {
            this.received = received;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            message.writeBytes(chunk);
            if (last) {
                for (Frame frame : Frames.decodeAll(message.toByteArray())) {
                    received.add(Received.of(frame));
                }
                message.reset();
            }
            webSocket.request(1);
            return null;
        }
    }
}
