package io.goim.proto.testclient;

import io.goim.proto.frame.Op;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What goim's clients do, over any transport: send frames, take the frames comet sends. Test code
 * for comet and the end-to-end tests.
 */
public abstract class GoimClient implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);

    protected final BlockingQueue<Received> received;
    private int seq;

    protected GoimClient(BlockingQueue<Received> received) {
        this.received = received;
    }

    /** Sends one frame's bytes. */
    protected abstract void sendBytes(byte[] frame);

    /** Closes the connection; never throws. */
    @Override
    public abstract void close();

    /** Whether the server closed the connection. */
    public abstract boolean isClosed();

    /** Sends a frame with the next seq. */
    public void send(int op, String body) {
        send(op, body.getBytes(StandardCharsets.UTF_8));
    }

    public void send(int op, byte[] body) {
        sendBytes(io.goim.proto.frame.Frames.encode(1, op, ++seq, body));
    }

    public int lastSeq() {
        return seq;
    }

    /** Sends op 7 with the token and returns the reply. */
    public Received auth(String token) throws InterruptedException {
        send(Op.AUTH, token);
        return next();
    }

    /** Sends op 2 and returns the reply. */
    public Received heartbeat() throws InterruptedException {
        send(Op.HEARTBEAT, new byte[0]);
        return next();
    }

    /** The next frame, waiting at most {@code timeout}; null when none came. */
    public Received poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next frame, waiting at most 10 s; fails when none came. */
    public Received next() throws InterruptedException {
        Received frame = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            throw new AssertionError("no frame from comet within " + WAIT);
        }
        return frame;
    }

    /** Frames received and not yet taken. */
    public int pending() {
        return received.size();
    }

    /** goim's JSON token. */
    public static String token(long mid, String key, String room, String accepts) {
        return "{\"mid\":" + mid + ", \"key\":\"" + key + "\", \"room_id\":\"" + room
                + "\", \"platform\":\"web\", \"accepts\":[" + accepts + "]}";
    }
}
