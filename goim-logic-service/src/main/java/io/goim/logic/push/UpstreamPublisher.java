package io.goim.logic.push;

import io.goim.logic.config.LogicProperties;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Receive: publishes a client's upstream message to {@code goim.logic.kafka.upstream-topic}, keyed
 * by mid (or by connection key when mid is 0), so one user's messages stay in order. goim only logs
 * them.
 */
@Component
public final class UpstreamPublisher {
    private final PushPublisher publisher;
    private final JsonMapper json;
    private final String topic;

    UpstreamPublisher(PushPublisher publisher, JsonMapper json, LogicProperties properties) {
        this.publisher = publisher;
        this.json = json;
        this.topic = properties.kafka().upstreamTopic();
    }

    public Mono<Void> publish(UpstreamMessage message) {
        String recordKey = message.mid() > 0 ? Long.toString(message.mid()) : message.key();
        return Mono.fromCallable(() -> json.writeValueAsBytes(message))
                .flatMap(value -> publisher.publish(topic, recordKey, value));
    }
}
