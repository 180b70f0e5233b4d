package io.goim.logic.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.push.PushMetrics;
import io.goim.logic.push.PushService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The push API's cases against {@link PushRoute} on a real Reactor Netty server (port 0), as logic
 * serves it by default; then what only the route does itself: API keys and the {@code
 * http.server.requests} timer.
 */
class PushRouteTest extends PushApiCases {
    private static final String REFUSED =
            "{\"code\":-401,\"message\":\"missing or wrong API key (Authorization: Bearer)\"}";

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private DisposableServer server;

    PushRouteTest() {
        pushes = mock(PushService.class);
        metrics = mock(PushMetrics.class);
        http = serve(Map.of("goim.logic.limits.max-targets", "3", "goim.logic.limits.max-body", "1KB"));
    }

    private WebTestClient serve(Map<String, String> settings) {
        if (server != null) {
            server.disposeNow();
        }
        LogicProperties properties = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("goim.logic", LogicProperties.class);
        JsonMapper json = JsonMapper.builder().build();
        PushRoute route = new PushRoute(
                new PushRequests(pushes, metrics, properties),
                new PushBody(properties),
                new ApiKeys(properties, meters, json),
                json,
                meters);
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(route::apply)
                .bindNow();
        baseUrl = "http://127.0.0.1:" + server.port();
        return WebTestClient.bindToServer().baseUrl(baseUrl).build();
    }

    @AfterEach
    void stop() {
        server.disposeNow();
    }

    @Test
    void withApiKeysAMissingOrWrongKeyIsRefusedWith401AndNothingIsPushed() {
        WebTestClient keyed = serve(Map.of("goim.logic.api.keys", "first-key,second-key"));
        keyed.post()
                .uri("/goim/push/mids?operation=1000&mids=1")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .expectBody()
                .json(REFUSED, true);
        keyed.post()
                .uri("/goim/push/room?operation=1000&type=live&room=1")
                .header(HttpHeaders.AUTHORIZATION, "Bearer wrong-key")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .json(REFUSED, true);
        verifyNoInteractions(pushes);
        assertThat(meters.get("goim.auth.failures")
                        .tag("reason", "api_key_missing")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get("goim.auth.failures")
                        .tag("reason", "api_key_wrong")
                        .counter()
                        .count())
                .isEqualTo(1);

        when(pushes.pushMids(anyInt(), anyList(), any())).thenReturn(Mono.empty());
        keyed.post()
                .uri("/goim/push/mids?operation=1000&mids=1")
                .header(HttpHeaders.AUTHORIZATION, "Bearer second-key")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("{\"code\":0,\"message\":\"ok\"}", true);
        verify(pushes).pushMids(1000, List.of(1L), "x".getBytes());
    }

    @Test
    void everyCallIsTimedAsHttpServerRequestsWithWebFluxsTags() {
        when(pushes.pushRoom(anyInt(), any(), any(), any())).thenReturn(Mono.empty());
        http.post()
                .uri("/goim/push/room?operation=1000&type=live&room=1")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0);
        http.post()
                .uri("/goim/push/room?type=live&room=1")
                .bodyValue("x")
                .exchange()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400);

        // recorded once the answer is written, which the client may read first
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Timer ok = meters.find("http.server.requests")
                    .tags("method", "POST", "uri", "/goim/push/room", "status", "200", "outcome", "SUCCESS")
                    .tags("exception", "none", "error", "none")
                    .timer();
            Timer refused = meters.find("http.server.requests")
                    .tags("uri", "/goim/push/room", "exception", "RequestException")
                    .timer();
            assertThat(ok).isNotNull();
            assertThat(refused).isNotNull();
            assertThat(ok.count()).isEqualTo(1);
            assertThat(refused.count()).isEqualTo(1);
        });
    }
}
