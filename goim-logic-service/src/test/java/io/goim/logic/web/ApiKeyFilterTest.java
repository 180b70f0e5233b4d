package io.goim.logic.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.node.NodesService;
import io.goim.logic.online.RoomCounts;
import io.goim.logic.push.PushMetrics;
import io.goim.logic.push.PushService;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/** Bearer API keys: a missing or wrong key is HTTP 401 with goim's envelope, code -401. */
@WebFluxTest(
        controllers = {PushController.class, OnlineController.class, NodesController.class},
        properties = {"goim.logic.api.keys=first-key,second-key", "goim.logic.api.protect-queries=true"})
@Import({PushBody.class, PushRequests.class, ApiKeys.class, TestMeters.class})
@EnableConfigurationProperties(LogicProperties.class)
class ApiKeyFilterTest {
    private static final String REFUSED =
            "{\"code\":-401,\"message\":\"missing or wrong API key (Authorization: Bearer)\"}";

    @Autowired
    WebTestClient http;

    @Autowired
    MeterRegistry meters;

    @MockitoBean
    PushService pushes;

    @MockitoBean
    PushMetrics metrics;

    @MockitoBean
    RoomCounts counts;

    @MockitoBean
    CometDirectory comets;

    @MockitoBean
    NodesService nodes;

    private WebTestClient.ResponseSpec push(String authorization) {
        WebTestClient.RequestBodySpec request = http.post().uri("/goim/push/mids?operation=1000&mids=1");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.bodyValue("x").exchange();
    }

    @Test
    void aMissingKeyIsRefused() {
        push(null)
                .expectStatus()
                .isEqualTo(HttpStatus.UNAUTHORIZED)
                .expectBody()
                .json(REFUSED, true);
        push("Basic Zmlyc3Qta2V5").expectStatus().isUnauthorized().expectBody().json(REFUSED, true);
        verifyNoInteractions(pushes);
        assertThat(meters.counter("goim.auth.failures", "reason", "api_key_missing")
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aWrongKeyIsRefused() {
        push("Bearer third-key").expectStatus().isUnauthorized().expectBody().json(REFUSED, true);
        push("Bearer first-ke").expectStatus().isUnauthorized().expectBody().json(REFUSED, true);
        verifyNoInteractions(pushes);
        assertThat(meters.counter("goim.auth.failures", "reason", "api_key_wrong")
                        .count())
                .isEqualTo(2);
    }

    @Test
    void everyConfiguredKeyIsAccepted() {
        when(pushes.pushMids(anyInt(), anyList(), any())).thenReturn(Mono.empty());

        push("Bearer first-key")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0);
        push("Bearer second-key")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0);
    }

    @Test
    void theQueriesNeedAKeyWhenProtected() {
        http.get()
                .uri("/goim/online/total")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .json(REFUSED, true);
        http.get()
                .uri("/goim/nodes/instances")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .json(REFUSED, true);
        when(comets.totals()).thenReturn(new CometDirectory.Totals(1, 1));
        http.get()
                .uri("/goim/online/total")
                .header("Authorization", "Bearer second-key")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.data.conn_count")
                .isEqualTo(1);
    }
}
