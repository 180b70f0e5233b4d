package io.goim.comet.config;

import io.goim.comet.session.Buckets;
import io.goim.comet.session.OnlineCounts;
import io.goim.comet.transport.IoLoops;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CometConfig {
    @Bean
    Buckets buckets(CometProperties properties) {
        return new Buckets(properties.bucket().size());
    }

    @Bean
    IoLoops ioLoops(CometProperties properties) {
        return new IoLoops(properties.io().threads());
    }

    @Bean
    OnlineCounts onlineCounts() {
        return new OnlineCounts();
    }
}
