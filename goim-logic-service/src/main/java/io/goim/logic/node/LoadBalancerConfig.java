package io.goim.logic.node;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One load balancer shared by the directory that updates it and the service that asks it. */
@Configuration(proxyBeanMethods = false)
class LoadBalancerConfig {
    @Bean
    LoadBalancer loadBalancer() {
        return new LoadBalancer();
    }
}
