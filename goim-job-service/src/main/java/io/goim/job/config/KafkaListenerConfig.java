package io.goim.job.config;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The listener container, set up for at least once (contract section 8: goim commits before it
 * pushes). Ack mode MANUAL: the container commits nothing by itself; job's offset tracker (the
 * rebalance listener) acknowledges a record once the comets accepted it or it was dead-lettered, and
 * the container commits those acknowledgments on its thread, coalesced per poll. Failed pushes are
 * retried per comet by job, not by re-reading the record, so the error handler only catches what the
 * listener did not expect: such a record goes to the dead-letter topic at once, and the handler
 * commits nothing, which could skip records still open.
 */
@Configuration(proxyBeanMethods = false)
final class KafkaListenerConfig {

    @Bean
    ConcurrentKafkaListenerContainerFactory<Object, Object> kafkaListenerContainerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer,
            ConsumerFactory<Object, Object> consumers,
            ConsumerAwareRebalanceListener offsets,
            DeadLetterPublishingRecoverer deadLetters,
            MeterRegistry meters) {
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory =
                new ConcurrentKafkaListenerContainerFactory<>();
        configurer.configure(factory, consumers);
        factory.getContainerProperties().setAckMode(AckMode.MANUAL);
        factory.getContainerProperties().setConsumerRebalanceListener(offsets);
        DefaultErrorHandler errors = new DefaultErrorHandler(
                (record, error) -> {
                    deadLetters.accept(record, error);
                    meters.counter("goim.job.dead.letters", "reason", "error").increment();
                },
                new FixedBackOff(0, 0));
        errors.setAckAfterHandle(false);
        factory.setCommonErrorHandler(errors);
        return factory;
    }

    /** Records that failed for good, with the original topic, partition, offset and cause in headers. */
    @Bean
    DeadLetterPublishingRecoverer deadLetterPublishingRecoverer(
            KafkaOperations<?, ?> template, JobProperties properties) {
        String topic = properties.kafka().deadLetterTopic();
        // partition -1: let the producer choose; the dead-letter topic may have fewer partitions
        return new DeadLetterPublishingRecoverer(template, (record, error) -> new TopicPartition(topic, -1));
    }

    @Bean
    NewTopic deadLetterTopic(JobProperties properties) {
        return TopicBuilder.name(properties.kafka().deadLetterTopic()).build();
    }
}
