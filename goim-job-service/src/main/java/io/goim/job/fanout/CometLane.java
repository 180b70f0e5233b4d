package io.goim.job.fanout;

import io.goim.job.config.JobProperties;
import io.goim.proto.comet.CometGrpc;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls for one comet: a bounded queue and one worker, so that calls reach the comet one at a
 * time in the order they were submitted (a room's messages keep logic's order on every comet) and a
 * slow comet only fills its own queue. A full queue rejects at once, counted, rather than stalling
 * the caller and with it every other comet; job's memory is bounded by the listener's in-flight
 * limit. A failed call is retried with a doubling back-off before the next one (order), then given
 * up (dead-lettered by the listener). The worker is a virtual thread that blocks on the call: its
 * only waits are the call itself and, after a failure, the back-off.
 */
final class CometLane {
    private static final Logger log = LoggerFactory.getLogger(CometLane.class);

    private final Comet comet;
    private final JobProperties.Comet settings;
    private final MeterRegistry meters;
    private final BlockingQueue<Task> queue;
    private final Counter retries;
    private final Counter rejected;
    private final Gauge queued;
    private final Thread worker;
    private volatile CallOutcome closedAs;

    private record Task(CometCall call, CompletableFuture<CallOutcome> done) {}

    CometLane(Comet comet, JobProperties.Comet settings, MeterRegistry meters) {
        this.comet = comet;
        this.settings = settings;
        this.meters = meters;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.retries = meters.counter("goim.job.comet.retries", "server", comet.server());
        this.rejected = meters.counter("goim.job.comet.rejected", "server", comet.server());
        this.queued = Gauge.builder("goim.job.comet.queue", queue, BlockingQueue::size)
                .tag("server", comet.server())
                .register(meters);
        this.worker = Thread.ofVirtual().name("goim-comet-" + comet.server()).start(this::work);
    }

    Comet comet() {
        return comet;
    }

    /** Queues a call; the future tells how it ended. Never blocks. */
    CompletableFuture<CallOutcome> submit(CometCall call) {
        CompletableFuture<CallOutcome> done = new CompletableFuture<>();
        if (closedAs != null) {
            done.complete(closedAs);
        } else if (!queue.offer(new Task(call, done))) {
            rejected.increment();
            log.warn("comet queue full, call rejected server={} method={}", comet.server(), call.method());
            done.complete(CallOutcome.FAILED);
        } else if (closedAs != null) {
            // closed while we queued: the worker may be gone, end what is left here
            drain(closedAs);
        }
        return done;
    }

    /**
     * Stops the worker; queued and running calls end as {@code outcome}: FAILED when the comet left
     * (dead-lettered), ABANDONED when job stops (read again by the next job).
     */
    void close(CallOutcome outcome) {
        closedAs = outcome;
        worker.interrupt();
        drain(outcome);
        meters.remove(queued);
    }

    private void work() {
        while (closedAs == null) {
            Task task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                task.done().complete(call(task.call()));
            } catch (RuntimeException e) {
                log.error(
                        "comet call broke server={} method={}",
                        comet.server(),
                        task.call().method(),
                        e);
                task.done().complete(CallOutcome.FAILED);
            }
        }
        drain(closedAs);
    }

    private void drain(CallOutcome outcome) {
        List<Task> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(task -> task.done().complete(outcome));
    }

    private CallOutcome call(CometCall call) {
        long backoff = settings.retryBackoff().toNanos();
        for (int attempt = 0; ; attempt++) {
            Timer.Sample sample = Timer.start(meters);
            try {
                call.invoke()
                        .accept(CometGrpc.newBlockingStub(comet.channel())
                                .withDeadlineAfter(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS));
                sample.stop(timer(call, "ok"));
                return CallOutcome.ACCEPTED;
            } catch (StatusRuntimeException e) {
                sample.stop(timer(call, "error"));
                meters.counter(
                                "goim.job.comet.errors",
                                "server",
                                comet.server(),
                                "method",
                                call.method(),
                                "status",
                                e.getStatus().getCode().name())
                        .increment();
                if (closedAs != null) {
                    return closedAs;
                }
                if (attempt >= settings.retries()) {
                    log.warn(
                            "comet call given up server={} method={} attempts={} status={}",
                            comet.server(),
                            call.method(),
                            attempt + 1,
                            e.getStatus());
                    return CallOutcome.FAILED;
                }
                retries.increment();
                if (!backOff(backoff)) {
                    return closedAs;
                }
                backoff = Math.min(backoff * 2, settings.maxRetryBackoff().toNanos());
            }
        }
    }

    /** Waits before the next attempt; false when the lane was closed meanwhile. */
    private boolean backOff(long nanos) {
        try {
            // the failure path of this comet only: its later calls must wait anyway (order)
            Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
            return closedAs == null;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private Timer timer(CometCall call, String outcome) {
        return Timer.builder("goim.job.comet.calls")
                .description("gRPC calls from job to a comet")
                .tag("server", comet.server())
                .tag("method", call.method())
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(meters);
    }
}
