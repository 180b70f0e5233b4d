package io.goim.comet.rpc;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * At most {@code maxInFlight} calls to logic at once; the others wait here, first come first served.
 * A connect storm (every client of a restarted comet, or thousands of new ones while the JVMs are
 * still compiling) otherwise sends logic every call at once: logic shares its cores among all of
 * them, each takes longer than its deadline, and nearly every client is refused although logic did
 * the work. Queued here, the calls that get through finish in time, and a call that waited longer
 * than {@code maxWait} is dropped without costing logic anything (as is, in {@link LogicClient},
 * a Connect whose client left while it waited).
 */
final class CallAdmission {
    private record Waiting(Runnable start, Consumer<Throwable> reject, long since) {}

    private final int maxInFlight;
    private final int maxWaiting;
    private final long maxWaitNanos;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int inFlight;

    CallAdmission(int maxInFlight, int maxWaiting, Duration maxWait) {
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * Runs {@code start} now, or once an earlier call ended; whoever {@code start} begins must call
     * {@link #release()} exactly once when its call has ended. {@code reject} hears why a call never
     * started.
     */
    void submit(Runnable start, Consumer<Throwable> reject) {
        synchronized (this) {
            if (inFlight >= maxInFlight) {
                if (waiting.size() >= maxWaiting) {
                    reject.accept(Status.RESOURCE_EXHAUSTED
                            .withDescription(maxWaiting + " calls to logic are waiting already")
                            .asRuntimeException());
                } else {
                    waiting.add(new Waiting(start, reject, System.nanoTime()));
                }
                return;
            }
            inFlight++;
        }
        start.run();
    }

    /** A call ended: its place goes to the longest-waiting call still worth making. */
    void release() {
        while (true) {
            Waiting next;
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    inFlight--;
                    return;
                }
            }
            if (System.nanoTime() - next.since() <= maxWaitNanos) {
                next.start().run();
                return;
            }
            next.reject()
                    .accept(Status.DEADLINE_EXCEEDED
                            .withDescription("waited longer than " + Duration.ofNanos(maxWaitNanos) + " to call logic")
                            .asRuntimeException());
        }
    }

    synchronized int waiting() {
        return waiting.size();
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
