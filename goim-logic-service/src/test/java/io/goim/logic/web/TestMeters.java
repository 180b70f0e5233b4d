package io.goim.logic.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Web slices have no metrics auto-configuration; the API key filter counts its refusals here. */
@TestConfiguration(proxyBeanMethods = false)
class TestMeters {
    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }
}
