package io.goim.logic.config;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

/** Declares the push and upstream topics so that a fresh broker has them with the configured partitions. */
@Configuration(proxyBeanMethods = false)
class KafkaTopicConfig {
    @Bean
    NewTopic pushTopic(LogicProperties properties) {
        return TopicBuilder.name(properties.kafka().topic())
                .partitions(properties.kafka().partitions())
                .build();
    }

    @Bean
    NewTopic upstreamTopic(LogicProperties properties) {
        return TopicBuilder.name(properties.kafka().upstreamTopic())
                .partitions(properties.kafka().partitions())
                .build();
    }
}
