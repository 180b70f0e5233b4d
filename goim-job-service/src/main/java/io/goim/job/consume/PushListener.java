package io.goim.job.consume;

import com.google.protobuf.InvalidProtocolBufferException;
import io.goim.job.fanout.CometDispatcher;
import io.goim.job.fanout.Delivery;
import io.goim.job.room.RoomFanout;
import io.goim.job.room.RoomMessage;
import io.goim.proto.logic.PushMsg;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * The Kafka listener on goim's push topic (contract section 5). Each record is decoded and handed
 * over without waiting: PUSH to the comet named in {@code server}, ROOM to the room merger,
 * BROADCAST to every comet. Its offset is committed by the {@link OffsetTracker} once every call
 * for it was accepted or, failing that, once it is in the dead-letter topic. An undecodable record
 * goes to the dead-letter topic too and never blocks its partition.
 */
@Component
final class PushListener {
    private static final Logger log = LoggerFactory.getLogger(PushListener.class);
    /** How long the partitions rest when too many records are open, before they are read again. */
    private static final Duration FULL_PAUSE = Duration.ofSeconds(1);

    private final CometDispatcher comets;
    private final RoomFanout rooms;
    private final OffsetTracker offsets;
    private final DeadLetters deadLetters;
    private final MeterRegistry meters;
    private final Counter consumed;

    PushListener(
            CometDispatcher comets,
            RoomFanout rooms,
            OffsetTracker offsets,
            DeadLetters deadLetters,
            MeterRegistry meters) {
        this.comets = comets;
        this.rooms = rooms;
        this.offsets = offsets;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.consumed = meters.counter("goim.job.records.consumed");
    }

    @KafkaListener(
            id = "goim-push",
            topics = "${goim.job.kafka.topic}",
            groupId = "${goim.job.kafka.group}",
            concurrency = "${goim.job.kafka.concurrency}")
    void onRecord(ConsumerRecord<String, byte[]> record, Acknowledgment ack) throws InterruptedException {
        PendingRecord pending = offsets.open(record, ack);
        if (pending == null) {
            // back-pressure: seek back and rest; nothing of this record was taken on
            ack.nack(FULL_PAUSE);
            return;
        }
        consumed.increment();
        PushMsg msg;
        try {
            msg = PushMsg.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            deadLetters.publish(record, "undecodable", e).thenRun(pending::finish);
            return;
        }
        if (msg.getType() == PushMsg.Type.UNRECOGNIZED) {
            deadLetters
                    .publish(record, "undecodable", new UndeliveredException("unknown push type " + msg.getTypeValue()))
                    .thenRun(pending::finish);
            return;
        }
        try {
            route(msg, record).whenComplete((delivery, error) -> finish(record, pending, delivery, error));
        } catch (RuntimeException e) {
            finish(record, pending, null, e);
        }
    }

    private CompletableFuture<Delivery> route(PushMsg msg, ConsumerRecord<String, byte[]> record) {
        meters.counter("goim.job.pushes", "type", msg.getType().name()).increment();
        log.debug(
                "push type={} op={} server={} room={}",
                msg.getType(),
                msg.getOperation(),
                msg.getServer(),
                msg.getRoom());
        return switch (msg.getType()) {
            case PUSH -> comets.push(msg);
            case ROOM ->
                rooms.push(
                        msg.getRoom(),
                        new RoomMessage(
                                msg.getOperation(), msg.getMsg().toByteArray(), record.partition(), record.offset()));
            case BROADCAST -> comets.broadcast(msg);
            case UNRECOGNIZED -> throw new IllegalArgumentException("unknown push type");
        };
    }

    private void finish(
            ConsumerRecord<String, byte[]> record, PendingRecord pending, Delivery delivery, Throwable error) {
        if (error != null) {
            log.error(
                    "push broke topic={} partition={} offset={}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    error);
            deadLetters
                    .publish(record, "error", new UndeliveredException("job failed: " + error))
                    .thenRun(pending::finish);
            return;
        }
        switch (delivery.status()) {
            case ACCEPTED -> pending.finish();
            case ABANDONED -> pending.abandon();
            case FAILED ->
                deadLetters
                        .publish(
                                record,
                                "undelivered",
                                new UndeliveredException("not accepted by comets servers=" + delivery.failedServers()))
                        .thenRun(pending::finish);
        }
    }
}
