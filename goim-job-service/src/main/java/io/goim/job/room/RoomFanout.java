package io.goim.job.room;

import io.goim.job.config.JobProperties;
import io.goim.job.fanout.CometDispatcher;
import io.goim.job.fanout.Delivery;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
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

    private final CometDispatcher comets;
    private final Scheduler scheduler;
    private final RoomMerger<CompletableFuture<Delivery>> merger;
    private final DistributionSummary batchSizes;

    RoomFanout(CometDispatcher comets, JobProperties properties, MeterRegistry meters) {
        this.comets = comets;
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
        CompletableFuture<Delivery> done = new CompletableFuture<>();
        try {
            merger.add(room, op, msg, done);
        } catch (RejectedExecutionException e) {
            // the scheduler is gone: job is stopping, the record is read again by the next job
            done.complete(Delivery.ABANDONED);
        } catch (RuntimeException e) {
            log.error("room merge failed room={} op={}", room, op, e);
            done.complete(Delivery.failed(List.of("room-merger")));
        }
        return done;
    }

    private void send(RoomBatch<CompletableFuture<Delivery>> batch) {
        batchSizes.record(batch.size());
        comets.broadcastRoom(batch.room(), batch.body()).whenComplete((delivery, error) -> {
            Delivery outcome = error == null ? delivery : Delivery.failed(List.of("room-fanout"));
            batch.tickets().forEach(ticket -> ticket.complete(outcome));
        });
    }

    @Override
    public void destroy() {
        scheduler.dispose();
    }
}
