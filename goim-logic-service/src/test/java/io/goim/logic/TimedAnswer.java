package io.goim.logic;

import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A push API answer (goim's envelope) and how long it took, for the tests of broken dependencies. */
record TimedAnswer(int code, String message, long nanos) {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** POSTs {@code x} to {@code uri}, expects HTTP 200 (goim answers errors in the envelope). */
    static TimedAnswer post(WebTestClient http, String uri) {
        long start = System.nanoTime();
        byte[] body = http.post()
                .uri(uri)
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        long nanos = System.nanoTime() - start;
        JsonNode reply = JSON.readTree(body);
        return new TimedAnswer(reply.get("code").asInt(), reply.get("message").asString(), nanos);
    }
}
