package io.goim.logic.push;

import io.goim.logic.config.LogicProperties;
import io.goim.proto.logic.PushMsg;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Publishes PushMsg protobuf values to the push topic (contract section 5). */
@Component
class PushPublisher {
    private final KafkaTemplate<String, byte[]> kafka;
    private final String topic;

    PushPublisher(KafkaTemplate<String, byte[]> kafka, LogicProperties properties) {
        this.kafka = kafka;
        this.topic = properties.kafka().topic();
    }

    /** Completes when the broker has acknowledged the record (acks=all). */
    Mono<Void> publish(String recordKey, PushMsg msg) {
        return Mono.defer(() -> Mono.fromFuture(kafka.send(topic, recordKey, msg.toByteArray())))
                .then();
    }
}
