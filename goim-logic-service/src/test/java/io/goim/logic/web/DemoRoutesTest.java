package io.goim.logic.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.node.NodesService;
import io.goim.logic.online.RoomCounts;
import io.goim.logic.push.PushMetrics;
import io.goim.logic.push.PushService;
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
 * and protects its queries (README, Browser client and demo); the push API stays guarded.
 */
@WebFluxTest(
        controllers = {PushController.class, OnlineController.class, NodesController.class},
        properties = {"goim.logic.api.keys=a-key", "goim.logic.api.protect-queries=true"})
@Import({DemoRoutes.class, PushBody.class, TestMeters.class})
@EnableConfigurationProperties(LogicProperties.class)
class DemoRoutesTest {
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
    void thePushApiStillWantsItsKey() {
        http.post()
                .uri("/goim/push/room?operation=1000&type=live&room=1000")
                .bodyValue("x")
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }
}
