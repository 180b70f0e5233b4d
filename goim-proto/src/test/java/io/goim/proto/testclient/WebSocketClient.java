package io.goim.proto.testclient;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket client that speaks goim's frames as goim's JavaScript client does: one frame per binary
 * message. Records the close code the server sends.
 */
public final class WebSocketClient extends GoimClient {
    private final WebSocket socket;
    private final CompletableFuture<Integer> closeCode;

    private WebSocketClient(WebSocket socket, BlockingQueue<Received> received, CompletableFuture<Integer> closeCode) {
        super(received);
        this.socket = socket;
        this.closeCode = closeCode;
    }

    public static WebSocketClient connect(int port) {
        return connect(URI.create("ws://127.0.0.1:" + port + "/sub"), null);
    }

    /** Connects to {@code uri} (ws or wss); {@code ssl} trusts the server's certificate for wss. */
    public static WebSocketClient connect(URI uri, SSLContext ssl) {
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        HttpClient.Builder http = HttpClient.newBuilder();
        if (ssl != null) {
            http.sslContext(ssl);
        }
        WebSocket socket = http.build()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new Collector(received, closeCode))
                .join();
        return new WebSocketClient(socket, received, closeCode);
    }

    @Override
    protected void sendBytes(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).join();
    }

    /** Sends a text message, which goim's protocol does not use. */
    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    @Override
    public boolean isClosed() {
        return closeCode.isDone() || socket.isInputClosed();
    }

    /** The close code the server sent, when it closed the connection. */
    public CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    @Override
    public void close() {
        socket.abort();
    }

    /** Reassembles binary messages and parses each as one goim frame. */
    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<Received> received;
        private final CompletableFuture<Integer> closeCode;
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();

        Collector(BlockingQueue<Received> received, CompletableFuture<Integer> closeCode) {
            this.received = received;
            this.closeCode = closeCode;
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

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(-1);
        }
    }
}
