package io.goim.job.room;

import io.goim.job.config.JobProperties;
import io.goim.job.fanout.CometDispatcher;
import io.goim.job.fanout.Delivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * ROOM pushes: the {@link RoomMerger}, its batches sent with BroadcastRoom to every comet. The
 * listener's thread adds a message and, when the room was quiet, starts the calls itself: no hand-off
 * to another thread on the way of a push (each costs a wake-up). The merger's lock makes the order in
 * which batches reach the comet lanes the order of the room's messages; its timers (the signal, idle
 * rooms) run on one scheduler thread.
 * Each record's future completes when the batch that carries it was accepted by every comet (or given
 * up), so its offset is committed only then (at least once).
 */
@Component
public final class RoomFanout implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(RoomFanout.class);
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final CometDispatcher comets;
    private final Scheduler scheduler;
    private final RoomMerger<CompletableFuture<Delivery>> merger;
    private final DistributionSummary batchSizes;
    private final RoomHistory history;
    private final Counter historyErrors;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    RoomFanout(CometDispatcher comets, RoomHistory history, JobProperties properties, MeterRegistry meters) {
        this.comets = comets;
        this.history = history;
        this.historyErrors = Counter.builder("goim.job.history.errors")
                .description("room batches delivered unnumbered because Redis failed or started the numbering too late")
                .register(meters);
        this.scheduler = Schedulers.newSingle("goim-room");
        JobProperties.Room room = properties.room();
        this.merger = new RoomMerger<>(room.batch(), room.signal(), room.idle(), scheduler, this::send);
        this.batchSizes = DistributionSummary.builder("goim.job.room.batch.size")
                .description("room messages merged into one BroadcastRoom call")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue((double) room.batch())
                .register(meters);
        meters.gauge("goim.job.rooms", merger, m -> m.rooms());
    }

    /** Adds one message of {@code room}; the future completes once its batch reached the comets. */
    public CompletableFuture<Delivery> push(String room, int op, byte[] msg) {
        return push(room, RoomMessage.of(op, msg));
    }

    /**
     * Adds one message of {@code room}, read from Kafka at {@code message}'s partition and offset; the
     * future completes once its batch reached the comets.
     */
    public CompletableFuture<Delivery> push(String room, RoomMessage message) {
        int op = message.op();
        CompletableFuture<Delivery> done = new CompletableFuture<>();
        try {
            merger.add(room, message, done);
        } catch (RejectedExecutionException e) {
            // the scheduler is gone: job is stopping, the record is read again by the next job
            done.complete(Delivery.ABANDONED);
        } catch (RuntimeException e) {
            log.error("room merge failed room={} op={}", room, op, e);
            done.complete(Delivery.failed(List.of("room-merger")));
        }
        return done;
    }

    /**
     * Called under the merger's lock, a room's batches in order. A numbered room's batch goes to the
     * comets from the completion of its numbering, which keeps that order (RoomHistory). Redis failing,
     * or starting the numbering past its deadline, does not stop the room: its batch leaves unnumbered
     * and is not stored (docs/recovery.md, failure cases).
     */
    private void send(RoomBatch<CompletableFuture<Delivery>> batch) {
        batchSizes.record(batch.size());
        if (!history.numbered(batch.room())) {
            broadcast(batch, batch.body());
            return;
        }
        history.number(batch.room(), batch.messages()).whenComplete((seqs, error) -> {
            if (error == null) {
                broadcast(batch, batch.body(seqs));
                return;
            }
            historyErrors.increment();
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                log.warn("room history failed, delivered unnumbered room={} error={}", batch.room(), error.toString());
            }
            broadcast(batch, batch.body());
        });
    }

    private void broadcast(RoomBatch<CompletableFuture<Delivery>> batch, byte[] body) {
        comets.broadcastRoom(batch.room(), body).whenComplete((delivery, error) -> {
            Delivery outcome = error == null ? delivery : Delivery.failed(List.of("room-fanout"));
            batch.tickets().forEach(ticket -> ticket.complete(outcome));
        });
    }

    @Override
    public void destroy() {
        scheduler.dispose();
    }
}
