package io.goim.logic.push;

import io.goim.logic.config.LogicProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sends records with the idempotent acks=all producer (application.yml). {@code send} can block
 * while the producer waits for metadata (max.block.ms), so it runs on the bounded elastic
 * scheduler, never on an event loop; the call is bounded by {@code goim.logic.timeouts.kafka}.
 * A record whose send timed out may still be delivered later by the producer's retries.
 */
@Component
class PushPublisher {
    private final KafkaTemplate<String, byte[]> kafka;
    private final MeterRegistry meters;
    private final Duration timeout;

    PushPublisher(KafkaTemplate<String, byte[]> kafka, MeterRegistry meters, LogicProperties properties) {
        this.kafka = kafka;
        this.meters = meters;
        this.timeout = properties.timeouts().kafka();
    }

    /** Completes when the broker has acknowledged the record (acks=all). */
    Mono<Void> publish(String topic, String recordKey, byte[] value) {
        return Mono.defer(() -> {
                    Timer.Sample sample = Timer.start(meters);
                    return Mono.fromFuture(() -> kafka.send(topic, recordKey, value), true)
                            .subscribeOn(Schedulers.boundedElastic())
                            .timeout(timeout)
                            .doOnSuccess(r -> sample.stop(timer(topic, "ok")))
                            .doOnError(e -> sample.stop(timer(topic, "error")));
                })
                .then();
    }

    private Timer timer(String topic, String result) {
        return Timer.builder("goim.kafka.send")
                .description("Kafka sends of logic, until the broker acknowledged")
                .tag("topic", topic)
                .tag("result", result)
                .register(meters);
    }
}
