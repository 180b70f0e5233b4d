package io.goim.logic.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.node.Nodes;
import io.goim.logic.node.NodesService;
import io.goim.logic.online.RoomCounts;
import io.goim.logic.push.PushMetrics;
import io.goim.logic.push.PushService;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * goim.js and the demo page are served as they are, without an API key even when logic has API keys
 * (README, Browser client and demo); the push API stays guarded; pages of any origin may read
 * nodes/weighted, and only that.
 */
@WebFluxTest(
        controllers = {PushController.class, OnlineController.class, NodesController.class},
        properties = "goim.logic.api.keys=a-key")
@Import({BrowserClientConfig.class, PushBody.class, PushRequests.class, ApiKeys.class, TestMeters.class})
@EnableConfigurationProperties(LogicProperties.class)
class BrowserClientConfigTest {
    @Autowired
    WebTestClient http;

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

    @Test
    void goimJsIsServedAsJavaScript() {
        String script = http.get()
                .uri("/goim.js")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .value(HttpHeaders.CONTENT_TYPE, type -> assertThat(type).contains("javascript"))
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(script).contains("root.Goim = goim").contains("/goim/nodes/weighted");
    }

    @Test
    void theDemoAnswersAtItsFolder() {
        String page = http.get()
                .uri("/demo/")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(page).contains("<script src=\"../goim.js\"></script>").contains("/goim/push/room");

        http.get()
                .uri("/demo")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.PERMANENT_REDIRECT)
                .expectHeader()
                .location("demo/");
        http.get().uri("/demo/index.html").exchange().expectStatus().isOk();
    }

    @Test
    void pagesOfAnyOriginMayReadNodesWeightedOnly() {
        when(nodes.weighted(anyString(), anyString()))
                .thenReturn(
                        new Nodes("d", 3101, 3102, 3103, 240, 2, List.of("n"), new Nodes.Backoff(300, 3, 1.8f, 0.3f)));
        http.get()
                .uri("/goim/nodes/weighted?platform=web")
                .header(HttpHeaders.ORIGIN, "https://chat.example")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        http.post()
                .uri("/goim/push/room?operation=1000&type=live&room=1000")
                .header(HttpHeaders.ORIGIN, "https://chat.example")
                .header(HttpHeaders.AUTHORIZATION, "Bearer a-key")
                .bodyValue("x")
                .exchange()
                .expectHeader()
                .doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }

    @Test
    void thePushApiStillWantsItsKey() {
        http.post()
                .uri("/goim/push/room?operation=1000&type=live&room=1000")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }
}
