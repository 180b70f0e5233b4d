package io.goim.logic.web;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Bearer API keys ({@link ApiKeys}) for what WebFlux serves: the push API when it is not on its own
 * route ({@link PushRoute}), and the queries when {@code goim.logic.api.protect-queries}. A missing
 * or wrong key answers HTTP 401 with goim's envelope, code -401.
 */
@Component
final class ApiKeyFilter implements WebFilter {
    private final ApiKeys keys;

    ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!keys.guards(path)) {
            return chain.filter(exchange);
        }
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        return keys.refusal(path, authorization) == null ? chain.filter(exchange) : refuse(exchange);
    }

    private Mono<Void> refuse(ServerWebExchange exchange) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return response.writeWith(
                Mono.fromSupplier(() -> response.bufferFactory().wrap(keys.unauthorizedBody())));
    }
}
