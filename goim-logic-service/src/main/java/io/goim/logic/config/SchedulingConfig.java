package io.goim.logic.config;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The comet list and the room counts are reloaded periodically (contract section 4). */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class SchedulingConfig {}
