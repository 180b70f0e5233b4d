package io.goim.job.config;

import com.google.protobuf.InvalidProtocolBufferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * A failed push is retried with a bounded back-off, then logged and skipped so that one bad record
 * never blocks its partition; an undecodable record is not retried. Offsets are committed per
 * record after it was handled (ack mode RECORD in application.yml), unlike goim, which commits
 * before it pushes.
 */
@Configuration(proxyBeanMethods = false)
class KafkaListenerConfig {
    private static final Logger log = LoggerFactory.getLogger(KafkaListenerConfig.class);

    @Bean
    DefaultErrorHandler pushErrorHandler(JobProperties properties) {
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, error) -> log.warn(
                        "push given up topic={} partition={} offset={} error={}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        error.toString()),
                new FixedBackOff(
                        properties.kafka().retryBackoff().toMillis(),
                        properties.kafka().retries()));
        handler.addNotRetryableExceptions(InvalidProtocolBufferException.class);
        return handler;
    }
}
