package io.goim.comet.rpc;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(CallAdmission.class);

    private record Waiting(Runnable start, Consumer<Throwable> reject, long since) {}

    private final int maxInFlight;
    private final int maxWaiting;
    private final long maxWaitNanos;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int inFlight;
    private final AtomicInteger draining = new AtomicInteger();

    CallAdmission(int maxInFlight, int maxWaiting, Duration maxWait) {
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * Runs {@code start} now, or once an earlier call ended; whoever {@code start} begins must call
     * {@link #release()} exactly once when its call has ended (it may do so inside {@code start}).
     * {@code reject} hears why a call never started.
     */
    void submit(Runnable start, Consumer<Throwable> reject) {
        synchronized (this) {
            if (inFlight < maxInFlight && waiting.isEmpty()) {
                inFlight++;
            } else if (waiting.size() >= maxWaiting) {
                reject.accept(Status.RESOURCE_EXHAUSTED
                        .withDescription(maxWaiting + " calls to logic are waiting already")
                        .asRuntimeException());
                return;
            } else {
                waiting.add(new Waiting(start, reject, System.nanoTime()));
                start = null;
            }
        }
        if (start != null) {
            start.run();
        } else {
            // a place may have come free since (a call ended on another thread)
            drain();
        }
    }

    /** A call ended: its place goes to the longest-waiting call still worth making. */
    void release() {
        synchronized (this) {
            inFlight--;
        }
        drain();
    }

    /**
     * Starts waiting calls while there are places, on one thread at a time: a call that ends inside
     * its own start (a Connect whose client left while it waited, any call that fails as it starts)
     * releases its place into this loop instead of starting the next call inside itself. Nested, a
     * few thousand such calls in a row overflowed the stack, and places were never given back.
     */
    private void drain() {
        if (draining.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (true) {
                Waiting next;
                boolean late;
                synchronized (this) {
                    if (inFlight >= maxInFlight || waiting.isEmpty()) {
                        break;
                    }
                    next = waiting.poll();
                    late = System.nanoTime() - next.since() > maxWaitNanos;
                    if (!late) {
                        inFlight++;
                    }
                }
                try {
                    if (late) {
                        next.reject()
                                .accept(Status.DEADLINE_EXCEEDED
                                        .withDescription("waited longer than " + Duration.ofNanos(maxWaitNanos)
                                                + " to call logic")
                                        .asRuntimeException());
                    } else {
                        next.start().run();
                    }
                } catch (RuntimeException e) {
                    // what a start or a reject set off failed: the calls after it must still go on
                    log.warn("a call to logic failed to start or to end error={}", e.toString());
                }
            }
            missed = draining.addAndGet(-missed);
        } while (missed != 0);
    }

    synchronized int waiting() {
        return waiting.size();
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
