package io.goim.logic.web;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.goim.logic.push.PushMetrics;
import io.goim.logic.push.PushService;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/**
 * The push endpoints: goim's parameters, the raw body, the envelope and every code (contract
 * section 3), asked of both ways in: {@link PushRouteTest} (Reactor Netty, the default) and {@link
 * PushControllerTest} (WebFlux). Both run with {@code goim.logic.limits.max-targets=3} and {@code
 * max-body=1KB}.
 */
abstract class PushApiCases {
    @Autowired
    WebTestClient http;

    @MockitoBean
    PushService pushes;

    @MockitoBean
    PushMetrics metrics;

    /** Where {@link #http} sends an absolute URI. */
    String baseUrl = "http://localhost";

    @BeforeEach
    void pushesSucceed() {
        when(pushes.pushKeys(anyInt(), anyList(), any())).thenReturn(Mono.empty());
        when(pushes.pushMids(anyInt(), anyList(), any())).thenReturn(Mono.empty());
        when(pushes.pushRoom(anyInt(), any(), any(), any())).thenReturn(Mono.empty());
        when(pushes.pushAll(anyInt(), anyInt(), any())).thenReturn(Mono.empty());
    }

    private WebTestClient.ResponseSpec post(String uri, String body) {
        return http.post()
                .uri(uri)
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue(body)
                .exchange();
    }

    private WebTestClient.ResponseSpec postEncoded(String uri, String body) {
        return http.post()
                .uri(java.net.URI.create(baseUrl + uri))
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue(body)
                .exchange();
    }

    private void answers(String uri, String body, String json) {
        post(uri, body).expectStatus().isOk().expectBody().json(json, true);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pushKeysTakesRepeatedAndCommaSeparatedKeysAndTheRawBody() {
        answers("/goim/push/keys?operation=1000&keys=a&keys=b,c", "hello", "{\"code\":0,\"message\":\"ok\"}");

        verify(pushes).pushKeys(1000, List.of("a", "b", "c"), bytes("hello"));
    }

    @Test
    void pushMidsTakesRepeatedAndCommaSeparatedMids() {
        answers("/goim/push/mids?operation=1001&mids=1,2&mids=3", "m", "{\"code\":0,\"message\":\"ok\"}");

        verify(pushes).pushMids(1001, List.of(1L, 2L, 3L), bytes("m"));
    }

    @Test
    void anyContentTypeAndAnEmptyBodyAreTheMessage() {
        http.post()
                .uri("/goim/push/keys?operation=1000&keys=a")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(new byte[] {0, (byte) 0xff})
                .exchange()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0);
        http.post()
                .uri("/goim/push/mids?operation=1000&mids=9")
                .exchange()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0);

        verify(pushes).pushKeys(1000, List.of("a"), new byte[] {0, (byte) 0xff});
        verify(pushes).pushMids(1000, List.of(9L), new byte[0]);
    }

    @Test
    void pushRoomNeedsOperationTypeAndRoom() {
        answers("/goim/push/room?operation=1000&type=live&room=1000", "r", "{\"code\":0,\"message\":\"ok\"}");
        verify(pushes).pushRoom(1000, "live", "1000", bytes("r"));

        for (String missing : List.of("type=live&room=1", "operation=1&room=1", "operation=1&type=live")) {
            post("/goim/push/room?" + missing, "r")
                    .expectBody()
                    .jsonPath("$.code")
                    .isEqualTo(-400);
        }
    }

    @Test
    void pushAllTakesAnOptionalSpeed() {
        answers("/goim/push/all?operation=1000&speed=200", "a", "{\"code\":0,\"message\":\"ok\"}");
        answers("/goim/push/all?operation=1001", "b", "{\"code\":0,\"message\":\"ok\"}");

        verify(pushes).pushAll(1000, 200, bytes("a"));
        verify(pushes).pushAll(1001, 0, bytes("b"));
        post("/goim/push/all?speed=1", "c").expectBody().jsonPath("$.code").isEqualTo(-400);
    }

    @Test
    void missingOrBadParametersAnswerMinus400WithAMessage() {
        post("/goim/push/mids?mids=1", "x")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400)
                .jsonPath("$.message")
                .value(m ->
                        org.assertj.core.api.Assertions.assertThat((String) m).contains("operation"))
                .jsonPath("$.data")
                .doesNotExist();
        post("/goim/push/mids?operation=1000&mids=x", "x")
                .expectBody()
                .json("{\"code\":-400,\"message\":\"mids: not a number: x\"}", true);
        post("/goim/push/mids?operation=1000", "x")
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400);
        post("/goim/push/keys?operation=1000&keys=,", "x")
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400);
        post("/goim/push/keys?operation=abc&keys=a", "x")
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400);
        verify(pushes, never()).pushMids(anyInt(), anyList(), any());
        verify(pushes, never()).pushKeys(anyInt(), anyList(), any());
    }

    @Test
    void aRoomWithControlCharactersOrTooLongAnswersMinus400AndPublishesNothing() {
        // as sent, already encoded: the controller sees a newline and a NUL
        postEncoded("/goim/push/room?operation=1000&type=live&room=10%0A00", "x")
                .expectBody()
                .json("{\"code\":-400,\"message\":\"room: control character at index 2\"}", true);
        postEncoded("/goim/push/room?operation=1000&type=li%00ve&room=1000", "x")
                .expectBody()
                .json("{\"code\":-400,\"message\":\"type: control character at index 2\"}", true);
        post("/goim/push/room?operation=1000&type=live&room=" + "r".repeat(257), "x")
                .expectBody()
                .json("{\"code\":-400,\"message\":\"room: longer than 256 characters\"}", true);
        verifyNoInteractions(pushes);
    }

    @Test
    void wrongTypedParametersAnswerMinus400AndPublishNothing() {
        post("/goim/push/room?operation=1e3&type=live&room=1", "x")
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400);
        post("/goim/push/all?operation=1000&speed=fast", "x")
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400);
        post("/goim/push/mids?operation=99999999999&mids=1", "x")
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400);
        verifyNoInteractions(pushes);
    }

    @Test
    void tooManyTargetsAnswerMinus400NamingTheLimit() {
        post("/goim/push/mids?operation=1000&mids=1,2,3,4", "x")
                .expectBody()
                .json("{\"code\":-400,\"message\":\"too many mids: 4 > goim.logic.limits.max-targets=3\"}", true);
        post("/goim/push/keys?operation=1000&keys=a,b&keys=c&keys=d", "x")
                .expectBody()
                .jsonPath("$.message")
                .isEqualTo("too many keys: 4 > goim.logic.limits.max-targets=3");
        verifyNoInteractions(pushes);
        verify(metrics).rejected("mids");
        verify(metrics).rejected("keys");
    }

    @Test
    void aBodyOverTheLimitAnswersMinus400NamingTheLimit() {
        String big = "x".repeat(1025);
        for (String uri : List.of(
                "/goim/push/keys?operation=1&keys=a",
                "/goim/push/mids?operation=1&mids=1",
                "/goim/push/room?operation=1&type=live&room=1",
                "/goim/push/all?operation=1")) {
            post(uri, big)
                    .expectBody()
                    .json(
                            "{\"code\":-400,\"message\":\"message too large: more than"
                                    + " goim.logic.limits.max-body=1024 bytes\"}",
                            true);
        }
        answers("/goim/push/all?operation=1", "x".repeat(1024), "{\"code\":0,\"message\":\"ok\"}");
        verify(pushes).pushAll(eq(1), eq(0), any());
    }

    @Test
    void aFailingOrSlowDependencyAnswersMinus500() {
        when(pushes.pushMids(anyInt(), anyList(), any())).thenReturn(Mono.error(new IllegalStateException("kafka")));
        when(pushes.pushKeys(anyInt(), anyList(), any())).thenReturn(Mono.error(new TimeoutException()));

        post("/goim/push/mids?operation=1000&mids=1", "x")
                .expectBody()
                .json("{\"code\":-500,\"message\":\"server error: kafka\"}", true);
        post("/goim/push/keys?operation=1000&keys=a", "x")
                .expectBody()
                .json("{\"code\":-500,\"message\":\"server error: Redis or Kafka did not answer in time\"}", true);
    }

    @Test
    void withoutApiKeysConfiguredThePushApiIsOpen() {
        post("/goim/push/keys?operation=1000&keys=a", "x")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0);
    }
}
