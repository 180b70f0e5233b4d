package io.goim.job.fanout;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.goim.job.config.JobProperties;
import io.goim.proto.comet.CometGrpc;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls for one comet: {@code lanes} bounded queues, each with at most one call in flight. A
 * call goes to the queue its {@link CometCall#order() order key} picks (a room's id, a push's key),
 * so the calls of one room or one connection reach the comet one at a time in the order they were
 * submitted (a room's messages keep logic's order on every comet), while calls for other rooms and
 * keys go in parallel (one call in flight per comet held pushes by mids to about 770 a second, the
 * time of one call; goim's job keeps 32 per comet). A slow comet only fills its own queues. A full
 * queue rejects at once, counted, rather than stalling the caller and with it every other comet;
 * job's memory is bounded by the listener's in-flight limit. A failed call is retried with a
 * doubling back-off before the next one of its queue (order), then given up (dead-lettered by the
 * listener).
 *
 * <p>A comet whose channel cannot connect (a failed call while the channel is in TRANSIENT_FAILURE,
 * or past its deadline while still connecting: the process is gone or its host unreachable) is
 * <em>down</em>: its queued calls and every call submitted meanwhile end UNREACHABLE at once,
 * counted, neither retried nor dead-lettered, since it can hold no connection that job could reach;
 * its clients reconnect to another comet (and recover from history). Without this, job would keep
 * calling a killed comet until Eureka drops it (about 30 s) and dead-letter every room record meant
 * also for the live comets. Every {@code probe} the channel is asked to connect again; once it is
 * READY the lane takes calls again. A comet that answers with an error is not down: its calls are
 * retried and dead-lettered as before.
 *
 * <p>Nothing here waits: a call submitted to an idle lane starts on the submitting thread, with
 * gRPC's asynchronous stub, so a push leaves job without a hand-off to another thread (each such
 * hand-off costs a thread wake-up on the latency path). A finished call is reported on {@code
 * completions} (its dependents may publish a dead letter, which can block), which then starts the
 * next queued call; back-off waits are timers on {@code timer}.
 */
final class CometLane {
    private static final Logger log = LoggerFactory.getLogger(CometLane.class);

    private final Comet comet;
    private final JobProperties.Comet settings;
    private final MeterRegistry meters;
    private final ScheduledExecutorService timer;
    private final Executor completions;
    /** Guarded by {@code this}, like every queue's state. */
    private final Queue[] queues;

    private final Counter retries;
    private final Counter rejected;
    private final Counter unreachable;
    private final Gauge queued;
    private final Gauge up;
    private volatile CallOutcome closedAs;
    /** Set while the comet cannot be connected to; changed under {@code this}. */
    private volatile boolean down;

    private long downSince;
    private ScheduledFuture<?> probe;

    /** One ordered queue: the calls waiting and the one in flight. */
    private static final class Queue {
        final ArrayDeque<Task> waiting = new ArrayDeque<>();
        Task running;
    }

    /** One submitted call; its fields change only while it runs, one step after another. */
    private static final class Task {
        final CometCall call;
        final Queue queue;
        final CompletableFuture<CallOutcome> done = new CompletableFuture<>();
        int attempt;
        long backoff;
        ListenableFuture<?> inFlight;

        Task(CometCall call, Queue queue, long backoff) {
            this.call = call;
            this.queue = queue;
            this.backoff = backoff;
        }
    }

    CometLane(
            Comet comet,
            JobProperties.Comet settings,
            MeterRegistry meters,
            ScheduledExecutorService timer,
            Executor completions) {
        this.comet = comet;
        this.settings = settings;
        this.meters = meters;
        this.timer = timer;
        this.completions = completions;
        this.queues = new Queue[settings.lanes()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new Queue();
        }
        this.retries = meters.counter("goim.job.comet.retries", "server", comet.server());
        this.rejected = meters.counter("goim.job.comet.rejected", "server", comet.server());
        this.unreachable = Counter.builder("goim.job.comet.unreachable")
                .description("calls not sent because the comet could not be connected to")
                .tag("server", comet.server())
                .register(meters);
        this.queued = Gauge.builder("goim.job.comet.queue", this, CometLane::waiting)
                .tag("server", comet.server())
                .register(meters);
        this.up = Gauge.builder("goim.job.comet.up", this, lane -> lane.down ? 0 : 1)
                .description("1 while job can connect to the comet, 0 while its calls are skipped")
                .tag("server", comet.server())
                .register(meters);
    }

    /** Whether calls are skipped because the comet cannot be connected to. */
    boolean down() {
        return down;
    }

    Comet comet() {
        return comet;
    }

    /** Queues a call, or starts it here when the lane is idle; the future tells how it ended. */
    CompletableFuture<CallOutcome> submit(CometCall call) {
        Queue queue = queues[Math.floorMod(call.order(), queues.length)];
        Task task = new Task(call, queue, settings.retryBackoff().toNanos());
        CallOutcome refused;
        synchronized (this) {
            if (closedAs != null) {
                refused = closedAs;
            } else if (down) {
                refused = CallOutcome.UNREACHABLE;
            } else if (queue.running == null) {
                queue.running = task;
                refused = null;
            } else if (queue.waiting.size() < settings.queueCapacity()) {
                queue.waiting.add(task);
                return task.done;
            } else {
                rejected.increment();
                log.warn("comet queue full, call rejected server={} method={}", comet.server(), call.method());
                refused = CallOutcome.FAILED;
            }
        }
        // outside the lock: a completed future runs its dependents right here
        if (refused == CallOutcome.UNREACHABLE) {
            unreachable.increment();
        }
        if (refused != null) {
            task.done.complete(refused);
        } else {
            attempt(task);
        }
        return task.done;
    }

    /**
     * Ends the lane; queued and running calls end as {@code outcome} at once (the running one is
     * cancelled): FAILED when the comet left (dead-lettered), ABANDONED when job stops (read again by
     * the next job).
     */
    void close(CallOutcome outcome) {
        List<Task> left = new ArrayList<>();
        synchronized (this) {
            closedAs = outcome;
            if (probe != null) {
                probe.cancel(false);
            }
            for (Queue queue : queues) {
                left.addAll(queue.waiting);
                queue.waiting.clear();
                if (queue.running != null) {
                    left.add(queue.running);
                    queue.running = null;
                }
            }
        }
        for (Task task : left) {
            task.done.complete(outcome);
            ListenableFuture<?> inFlight = task.inFlight;
            if (inFlight != null) {
                inFlight.cancel(false);
            }
        }
        meters.remove(queued);
        meters.remove(up);
    }

    private synchronized int waiting() {
        int waiting = 0;
        for (Queue queue : queues) {
            waiting += queue.waiting.size();
        }
        return waiting;
    }

    private void attempt(Task task) {
        CallOutcome closed = closedAs;
        if (closed != null) {
            task.done.complete(closed);
            return;
        }
        if (down) {
            unreachable.increment();
            report(task, CallOutcome.UNREACHABLE);
            return;
        }
        Timer.Sample sample = Timer.start(meters);
        try {
            task.inFlight = task.call
                    .invoke()
                    .apply(CometGrpc.newFutureStub(comet.channel())
                            .withDeadlineAfter(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS));
        } catch (RuntimeException e) {
            failed(task, sample, Status.fromThrowable(e));
            return;
        }
        Futures.addCallback(
                task.inFlight,
                new FutureCallback<Object>() {
                    @Override
                    public void onSuccess(Object reply) {
                        sample.stop(timer(task.call, "ok"));
                        report(task, CallOutcome.ACCEPTED);
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        failed(task, sample, Status.fromThrowable(error));
                    }
                },
                MoreExecutors.directExecutor());
    }

    private void failed(Task task, Timer.Sample sample, Status status) {
        sample.stop(timer(task.call, "error"));
        meters.counter(
                        "goim.job.comet.errors",
                        "server",
                        comet.server(),
                        "method",
                        task.call.method(),
                        "status",
                        status.getCode().name())
                .increment();
        CallOutcome closed = closedAs;
        if (closed != null) {
            report(task, closed);
            return;
        }
        if (cannotConnect(status)) {
            markDown(status);
            unreachable.increment();
            report(task, CallOutcome.UNREACHABLE);
            return;
        }
        if (task.attempt >= settings.retries()) {
            log.warn(
                    "comet call given up server={} method={} attempts={} status={}",
                    comet.server(),
                    task.call.method(),
                    task.attempt + 1,
                    status);
            report(task, CallOutcome.FAILED);
            return;
        }
        retries.increment();
        long delay = task.backoff;
        task.attempt++;
        task.backoff = Math.min(task.backoff * 2, settings.maxRetryBackoff().toNanos());
        try {
            // only this comet's later calls wait for it (order); the others go on
            timer.schedule(() -> attempt(task), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            report(task, CallOutcome.ABANDONED);
        }
    }

    /**
     * The call failed because the channel could not connect: refused or reset and now in
     * TRANSIENT_FAILURE, or timed out while the channel was still connecting. A comet that answered
     * (an error status over a READY channel) or reset one connection (the channel goes IDLE and the
     * retry connects anew) is not that.
     */
    private boolean cannotConnect(Status status) {
        ConnectivityState state = comet.channel().getState(false);
        return switch (status.getCode()) {
            case UNAVAILABLE -> state == ConnectivityState.TRANSIENT_FAILURE;
            case DEADLINE_EXCEEDED ->
                state == ConnectivityState.TRANSIENT_FAILURE || state == ConnectivityState.CONNECTING;
            default -> false;
        };
    }

    /** Skips this comet's calls until its channel connects again; what is queued ends at once. */
    private void markDown(Status status) {
        List<Task> skipped = new ArrayList<>();
        synchronized (this) {
            if (down || closedAs != null) {
                return;
            }
            down = true;
            downSince = System.nanoTime();
            for (Queue queue : queues) {
                skipped.addAll(queue.waiting);
                queue.waiting.clear();
            }
            try {
                probe = timer.scheduleWithFixedDelay(
                        this::probe,
                        settings.probe().toNanos(),
                        settings.probe().toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                // job is stopping: the lane is closed next
            }
        }
        log.warn(
                "comet unreachable, its calls are skipped until it connects again server={} address={} status={}"
                        + " queued={}",
                comet.server(),
                comet.address(),
                status.getCode(),
                skipped.size());
        unreachable.increment(skipped.size());
        for (Task task : skipped) {
            task.done.complete(CallOutcome.UNREACHABLE);
        }
    }

    /** On the timer while down: asks the channel to connect now, and takes calls again once it has. */
    private void probe() {
        ConnectivityState state = comet.channel().getState(true);
        if (state != ConnectivityState.READY) {
            if (state == ConnectivityState.TRANSIENT_FAILURE) {
                // try at once rather than after gRPC's own back-off, which grows to 2 minutes
                comet.channel().resetConnectBackoff();
            }
            return;
        }
        long downMs;
        synchronized (this) {
            if (!down) {
                return;
            }
            down = false;
            downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSince);
            if (probe != null) {
                probe.cancel(false);
                probe = null;
            }
        }
        log.info("comet reachable again server={} address={} downMs={}", comet.server(), comet.address(), downMs);
    }

    /** Completes the call's future off gRPC's threads, then starts the next call of its queue. */
    private void report(Task task, CallOutcome outcome) {
        try {
            completions.execute(() -> finish(task, outcome));
        } catch (RejectedExecutionException stopping) {
            finish(task, CallOutcome.ABANDONED);
        }
    }

    private void finish(Task task, CallOutcome outcome) {
        task.done.complete(outcome);
        Task next;
        Queue queue = task.queue;
        synchronized (this) {
            if (queue.running != task) {
                return; // the lane was closed meanwhile
            }
            next = queue.waiting.poll();
            queue.running = next;
        }
        if (next != null) {
            attempt(next);
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
