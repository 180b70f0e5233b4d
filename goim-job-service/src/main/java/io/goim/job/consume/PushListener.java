package io.goim.job.consume;

import com.google.protobuf.InvalidProtocolBufferException;
import io.goim.job.fanout.CometDispatcher;
import io.goim.proto.logic.PushMsg;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** The Kafka listener on goim's push topic; a record is done once its push was accepted. */
@Component
class PushListener {
    private final CometDispatcher dispatcher;

    PushListener(CometDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @KafkaListener(
            id = "goim-push",
            topics = "${goim.job.kafka.topic}",
            groupId = "${goim.job.kafka.group}",
            concurrency = "${goim.job.kafka.concurrency}")
    void onRecord(ConsumerRecord<String, byte[]> record) throws InvalidProtocolBufferException {
        dispatcher.dispatch(PushMsg.parseFrom(record.value()));
    }
}
