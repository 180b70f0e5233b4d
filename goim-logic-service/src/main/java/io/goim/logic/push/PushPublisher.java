package io.goim.logic.push;

import io.goim.logic.config.LogicProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
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
    private static final Logger log = LoggerFactory.getLogger(PushPublisher.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final MeterRegistry meters;
    private final Duration timeout;
    private final String pushTopic;

    PushPublisher(KafkaTemplate<String, byte[]> kafka, MeterRegistry meters, LogicProperties properties) {
        this.kafka = kafka;
        this.meters = meters;
        this.timeout = properties.timeouts().kafka();
        this.pushTopic = properties.kafka().topic();
    }

    /**
     * Creates the producer and fetches the topic's metadata once at start-up, in the background, so
     * that the first push does not pay for them (producer id, metadata: easily more than the send
     * timeout on a busy machine). A broker that is not there yet only logs.
     */
    @EventListener(ApplicationReadyEvent.class)
    void warmUp() {
        Mono.fromRunnable(() -> kafka.partitionsFor(pushTopic))
                .subscribeOn(Schedulers.boundedElastic())
                .subscribe(
                        ok -> {},
                        error -> log.warn("kafka warm-up failed topic={} error={}", pushTopic, error.toString()));
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
