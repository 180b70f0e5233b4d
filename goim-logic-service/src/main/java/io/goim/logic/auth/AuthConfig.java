package io.goim.logic.auth;

import io.goim.logic.config.LogicProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Picks the authenticator of {@code goim.logic.auth.mode}: {@code goim} (default) or {@code jwt}. */
@Configuration(proxyBeanMethods = false)
class AuthConfig {
    private static final Logger log = LoggerFactory.getLogger(AuthConfig.class);

    @Bean
    Authenticator authenticator(LogicProperties properties, JsonMapper json) {
        log.info("connect auth mode={}", properties.auth().mode());
        return switch (properties.auth().mode()) {
            case GOIM -> new GoimTokenAuthenticator(json);
            case JWT -> new JwtAuthenticator(properties.auth().jwt());
        };
    }
}
