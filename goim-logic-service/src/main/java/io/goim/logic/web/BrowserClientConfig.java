package io.goim.logic.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

/**
 * What the browser client needs from logic (README, Browser client and demo). {@code /goim.js} and
 * everything under {@code static/} are served as they are by WebFlux's resource handler, with no
 * API key ({@link ApiKeyFilter} guards {@code /goim/push/*} and, when asked, the queries); this
 * makes {@code /demo/} (and {@code /demo}) answer with the demo page, which WebFlux does not do for
 * a folder by itself, and lets pages of any origin read {@code GET /goim/nodes/weighted}, which
 * goim.js reads before each connect: what it answers is what any client may ask for.
 */
@Configuration(proxyBeanMethods = false)
class BrowserClientConfig {
    private static final String NODES_WEIGHTED = "/goim/nodes/weighted";
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

    /**
     * {@code Access-Control-Allow-Origin: *} on nodes/weighted: goim.js's GET is a simple request
     * (no preflight), and the answer holds nothing a page may not see. Nothing else gets it.
     */
    @Bean
    WebFilter nodesForAnyOrigin() {
        return (exchange, chain) -> {
            ServerHttpRequest request = exchange.getRequest();
            if (request.getMethod() == HttpMethod.GET
                    && request.getHeaders().getOrigin() != null
                    && NODES_WEIGHTED.equals(
                            request.getPath().pathWithinApplication().value())) {
                exchange.getResponse().getHeaders().set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            }
            return chain.filter(exchange);
        };
    }
}
