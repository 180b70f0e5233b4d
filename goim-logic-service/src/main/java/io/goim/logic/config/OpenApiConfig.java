package io.goim.logic.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The document behind {@code /swagger-ui.html}: goim's push and query API (contract section 3). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {
    static final String API_KEY = "apiKey";

    @Bean
    OpenAPI goimOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("goim logic: push and query API")
                        .version("goim 2.0 compatible")
                        .description("""
                                goim's HTTP API. Every answer is HTTP 200 with the envelope \
                                {"code": C, "message": "...", "data": ...}: code 0 OK, -400 request error \
                                (bad or missing parameter, or a limit exceeded), -500 server error \
                                (Redis or Kafka failed or did not answer in time). When API keys are \
                                configured (goim.logic.api.keys) a missing or wrong bearer key answers \
                                HTTP 401 with code -401. For push calls the raw request body is the message."""))
                .components(new Components()
                        .addSecuritySchemes(
                                API_KEY,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .description("goim.logic.api.keys; only when configured")))
                .addSecurityItem(new SecurityRequirement().addList(API_KEY));
    }
}
