package io.goim.logic.web;

import io.goim.logic.config.LogicProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bearer API keys for the push API, and for the queries when {@code
 * goim.logic.api.protect-queries}: goim's push API has none (contract section 8). With no key
 * configured everything stays open, as goim. A missing or wrong key answers HTTP 401 with goim's
 * envelope, code -401.
 */
@Component
final class ApiKeyFilter implements WebFilter {
    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);
    private static final String BEARER = "Bearer ";

    private final List<byte[]> keyDigests;
    private final boolean protectQueries;
    private final MeterRegistry meters;
    private final byte[] unauthorized;

    ApiKeyFilter(LogicProperties properties, MeterRegistry meters, JsonMapper json) {
        this.keyDigests =
                properties.api().keys().stream().map(ApiKeyFilter::digest).toList();
        this.protectQueries = properties.api().protectQueries();
        this.meters = meters;
        this.unauthorized = json.writeValueAsBytes(
                Reply.error(Reply.UNAUTHORIZED, "missing or wrong API key (Authorization: Bearer)"));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (keyDigests.isEmpty()
                || !isProtected(
                        exchange.getRequest().getPath().pathWithinApplication().value())) {
            return chain.filter(exchange);
        }
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return refuse(exchange, "api_key_missing");
        }
        byte[] presented = digest(authorization.substring(BEARER.length()).strip());
        boolean known = false;
        for (byte[] key : keyDigests) {
            // constant time, over digests so that the key lengths do not leak either
            known |= MessageDigest.isEqual(key, presented);
        }
        return known ? chain.filter(exchange) : refuse(exchange, "api_key_wrong");
    }

    private boolean isProtected(String path) {
        return path.startsWith("/goim/push/")
                || path.startsWith("/goim/history/")
                || (protectQueries && (path.startsWith("/goim/online/") || path.startsWith("/goim/nodes/")));
    }

    private Mono<Void> refuse(ServerWebExchange exchange, String reason) {
        Counter.builder("goim.auth.failures")
                .tag("reason", reason)
                .register(meters)
                .increment();
        log.warn("api call refused path={} reason={}", exchange.getRequest().getPath(), reason);
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return response.writeWith(
                Mono.fromSupplier(() -> response.bufferFactory().wrap(unauthorized)));
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
