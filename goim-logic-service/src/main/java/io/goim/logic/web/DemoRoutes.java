package io.goim.logic.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The browser client and the demo room chat (README, Browser client and demo): {@code /goim.js} and
 * everything under {@code static/} are served as they are by WebFlux's resource handler; this only
 * makes {@code /demo/} (and {@code /demo}) answer with the demo page, which WebFlux does not do for a
 * folder by itself. No API key guards them: {@link ApiKeyFilter} protects {@code /goim/push/*} only.
 */
@Configuration(proxyBeanMethods = false)
class DemoRoutes {
    private static final Resource DEMO = new ClassPathResource("static/demo/index.html");

    @Bean
    RouterFunction<ServerResponse> demoPage() {
        // relative, so that it holds behind a proxy that serves logic under a prefix
        return route(
                        GET("/demo"),
                        request -> ServerResponse.permanentRedirect(URI.create("demo/"))
                                .build())
                .andRoute(
                        GET("/demo/"),
                        request -> ServerResponse.ok()
                                .contentType(MediaType.TEXT_HTML)
                                .bodyValue(DEMO));
    }
}
