package io.goim.logic.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.history.HistoryPage;
import io.goim.logic.history.HistoryService;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/**
 * {@code /goim/history/*} (docs/recovery.md): goim's envelope with the page, the body base64; -400
 * naming the bad parameter; behind the push API's keys.
 */
@WebFluxTest(controllers = HistoryController.class, properties = "goim.logic.api.keys=history-key")
@Import({ApiKeys.class, TestMeters.class})
@EnableConfigurationProperties(LogicProperties.class)
class HistoryControllerTest {
    @Autowired
    WebTestClient http;

    @MockitoBean
    HistoryService history;

    @Test
    void aRoomsMessagesAfterAnOffset() {
        when(history.roomPage(eq("chat://7"), eq(null), eq(41L), eq(2)))
                .thenReturn(Mono.just(new HistoryPage(
                        "k3j9x1",
                        71,
                        true,
                        List.of(
                                new HistoryPage.Message(42, 1000, "hello".getBytes(UTF_8)),
                                new HistoryPage.Message(43, 1001, new byte[] {0, -1})))));
        get("/goim/history/room?room=chat://7&since=41&limit=2")
                .expectStatus()
                .isOk()
                .expectBody()
                .json(
                        "{\"code\":0,\"data\":{\"epoch\":\"k3j9x1\",\"offset\":71,\"recovered\":true,\"messages\":["
                                + "{\"offset\":42,\"op\":1000,\"body\":\"aGVsbG8=\"},"
                                + "{\"offset\":43,\"op\":1001,\"body\":\"AP8=\"}]}}",
                        false);
    }

    @Test
    void aUsersInboxWithTheDefaults() {
        when(history.midPage(eq(123L), eq("e1"), eq(0L), eq(100)))
                .thenReturn(Mono.just(new HistoryPage("e1", 0, true, List.of())));
        get("/goim/history/mid?mid=123&epoch=e1")
                .expectStatus()
                .isOk()
                .expectBody()
                .json("{\"code\":0,\"data\":{\"epoch\":\"e1\",\"offset\":0,\"messages\":[]}}", false);
    }

    @Test
    void badParametersAreRequestErrorsNamingThem() {
        expectRequestError("/goim/history/room", "room is required");
        expectRequestError("/goim/history/room?room=1000", "room must be type://id");
        expectRequestError("/goim/history/room?room=chat://7&since=-1", "since must be 0 or more");
        expectRequestError("/goim/history/room?room=chat://7&limit=0", "limit must be 1..1000");
        expectRequestError("/goim/history/room?room=chat://7&limit=x", "limit must be an integer");
        expectRequestError("/goim/history/mid", "mid is required");
        expectRequestError("/goim/history/mid?mid=0", "mid must be above 0");
        expectRequestError("/goim/history/mid?mid=abc", "mid must be an int64");
        verifyNoInteractions(history);
    }

    @Test
    void theApiKeyIsRequired() {
        http.get()
                .uri("/goim/history/room?room=chat://7")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-401);
        when(history.roomPage(any(), any(), anyLong(), anyInt()))
                .thenReturn(Mono.just(new HistoryPage("", 0, true, List.of())));
        get("/goim/history/room?room=chat://7").expectStatus().isOk();
    }

    private WebTestClient.ResponseSpec get(String uri) {
        return http.get().uri(uri).header("Authorization", "Bearer history-key").exchange();
    }

    private void expectRequestError(String uri, String message) {
        get(uri).expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(-400)
                .jsonPath("$.message")
                .value(m ->
                        org.assertj.core.api.Assertions.assertThat((String) m).contains(message));
    }
}
