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
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The push API's bearer keys (contract section 8: goim's push API has none), checked the same way
 * by the WebFlux filter and by the push route on Reactor Netty. With no key configured everything
 * stays open, as goim.
 */
@Component
final class ApiKeys {
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final String BEARER = "Bearer ";

    private final List<byte[]> keyDigests;
    private final boolean protectQueries;
    private final MeterRegistry meters;
    private final byte[] unauthorized;

    ApiKeys(LogicProperties properties, MeterRegistry meters, JsonMapper json) {
        this.keyDigests = properties.api().keys().stream().map(ApiKeys::digest).toList();
        this.protectQueries = properties.api().protectQueries();
        this.meters = meters;
        this.unauthorized = json.writeValueAsBytes(
                Reply.error(Reply.UNAUTHORIZED, "missing or wrong API key (Authorization: Bearer)"));
    }

    /**
     * Whether a call to this path needs a key: the pushes, the history (what users were sent), and
     * the queries when protect-queries.
     */
    boolean guards(String path) {
        return !keyDigests.isEmpty()
                && (path.startsWith("/goim/push/")
                        || path.startsWith("/goim/history/")
                        || (protectQueries && (path.startsWith("/goim/online/") || path.startsWith("/goim/nodes/"))));
    }

    /**
     * Checks a guarded call's Authorization header: null when it presents a known key, else the
     * reason it is refused, counted in {@code goim.auth.failures} and logged.
     */
    String refusal(String path, String authorization) {
        String reason = null;
        if (authorization == null || !authorization.startsWith(BEARER)) {
            reason = "api_key_missing";
        } else {
            byte[] presented = digest(authorization.substring(BEARER.length()).strip());
            boolean known = false;
            for (byte[] key : keyDigests) {
                // constant time, over digests so that the key lengths do not leak either
                known |= MessageDigest.isEqual(key, presented);
            }
            reason = known ? null : "api_key_wrong";
        }
        if (reason != null) {
            Counter.builder("goim.auth.failures")
                    .tag("reason", reason)
                    .register(meters)
                    .increment();
            log.warn("api call refused path={} reason={}", path, reason);
        }
        return reason;
    }

    /** The body of the HTTP 401 answer: goim's envelope, code -401. */
    byte[] unauthorizedBody() {
        return unauthorized.clone();
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
