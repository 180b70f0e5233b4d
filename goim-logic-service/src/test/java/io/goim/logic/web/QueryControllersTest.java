package io.goim.logic.web;

import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.node.CometNode;
import io.goim.logic.node.Nodes;
import io.goim.logic.node.NodesService;
import io.goim.logic.online.RoomCounts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

/** online/* and nodes/*: goim's parameters, data shapes and codes (contract section 3). */
@WebFluxTest(
        controllers = {OnlineController.class, NodesController.class},
        properties = "goim.logic.limits.max-targets=2")
@Import({ApiKeys.class, TestMeters.class})
@EnableConfigurationProperties(LogicProperties.class)
class QueryControllersTest {
    @Autowired
    WebTestClient http;

    @MockitoBean
    RoomCounts counts;

    @MockitoBean
    CometDirectory comets;

    @MockitoBean
    NodesService nodes;

    private WebTestClient.BodyContentSpec get(String uri) {
        return http.get().uri(uri).exchange().expectStatus().isOk().expectBody();
    }

    @Test
    void onlineTop() {
        when(counts.top("live", 2)).thenReturn(List.of(new RoomCounts.Top("1000", 100), new RoomCounts.Top("7", 3)));

        get("/goim/online/top?type=live&limit=2")
                .json(
                        "{\"code\":0,\"message\":\"ok\",\"data\":[{\"room_id\":\"1000\",\"count\":100},"
                                + "{\"room_id\":\"7\",\"count\":3}]}",
                        true);
        get("/goim/online/top?type=live").jsonPath("$.code").isEqualTo(-400);
        get("/goim/online/top?limit=2").jsonPath("$.code").isEqualTo(-400);
        get("/goim/online/top?type=live&limit=0").jsonPath("$.code").isEqualTo(-400);
        get("/goim/online/top?type=live&limit=x").jsonPath("$.code").isEqualTo(-400);
    }

    @Test
    void onlineRoom() {
        when(counts.rooms("live", List.of("1000", "1001"))).thenReturn(Map.of("1000", 100, "1001", 0));

        get("/goim/online/room?type=live&rooms=1000&rooms=1001")
                .json("{\"code\":0,\"message\":\"ok\",\"data\":{\"1000\":100,\"1001\":0}}", true);
        get("/goim/online/room?type=live&rooms=1000,1001")
                .jsonPath("$.data.1000")
                .isEqualTo(100);
        get("/goim/online/room?type=live").jsonPath("$.code").isEqualTo(-400);
        get("/goim/online/room?rooms=1").jsonPath("$.code").isEqualTo(-400);
        get("/goim/online/room?type=live&rooms=1,2,3")
                .jsonPath("$.message")
                .isEqualTo("too many rooms: 3 > goim.logic.limits.max-targets=2");
    }

    @Test
    void onlineTotal() {
        when(comets.totals()).thenReturn(new CometDirectory.Totals(12, 5));

        get("/goim/online/total")
                .json("{\"code\":0,\"message\":\"ok\",\"data\":{\"conn_count\":12,\"ip_count\":5}}", true);
    }

    @Test
    void nodesWeightedForTheClientsPlatformAndAddress() {
        when(nodes.weighted("web", "10.1.2.3"))
                .thenReturn(new Nodes(
                        "conn.goim.io",
                        3101,
                        3102,
                        3103,
                        240,
                        2,
                        List.of("a.goim.io"),
                        new Nodes.Backoff(300, 3, 1.5f, 0.25f)));
        when(nodes.weighted("", "127.0.0.1"))
                .thenReturn(new Nodes("d", 1, 2, 3, 4, 5, List.of(), new Nodes.Backoff(0, 0, 0, 0)));

        http.get()
                .uri("/goim/nodes/weighted?platform=web")
                .header("X-Forwarded-For", "10.1.2.3, 172.16.0.1")
                .exchange()
                .expectBody()
                .json(
                        "{\"code\":0,\"message\":\"ok\",\"data\":{\"domain\":\"conn.goim.io\",\"tcp_port\":3101,"
                                + "\"ws_port\":3102,\"wss_port\":3103,\"heartbeat\":240,\"heartbeat_max\":2,"
                                + "\"nodes\":[\"a.goim.io\"],\"backoff\":{\"max_delay\":300,\"base_delay\":3,"
                                + "\"factor\":1.5,\"jitter\":0.25}}}",
                        true);
        http.get()
                .uri("/goim/nodes/weighted")
                .header("X-Real-IP", "127.0.0.1")
                .exchange()
                .expectBody()
                .jsonPath("$.data.domain")
                .isEqualTo("d");
    }

    @Test
    void nodesInstancesListTheCometsWithTheirMetadata() {
        when(nodes.instances())
                .thenReturn(List.of(new CometNode(
                        "comet-1",
                        "GOIM-COMET",
                        "10.0.0.1",
                        "sh",
                        "z1",
                        List.of("1.2.3.4"),
                        Map.of("weight", "10", "conn_count", "3"),
                        10,
                        false,
                        3,
                        0)));

        get("/goim/nodes/instances")
                .json(
                        "{\"code\":0,\"message\":\"ok\",\"data\":[{\"hostname\":\"comet-1\",\"appid\":\"GOIM-COMET\","
                                + "\"host\":\"10.0.0.1\",\"region\":\"sh\",\"zone\":\"z1\",\"addrs\":[\"1.2.3.4\"],"
                                + "\"metadata\":{\"weight\":\"10\",\"conn_count\":\"3\"}}]}",
                        true);
    }

    @Test
    void aFailingQueryAnswersMinus500() {
        when(nodes.instances()).thenThrow(new IllegalStateException("registry gone"));
        when(nodes.weighted(anyString(), anyString())).thenThrow(new IllegalStateException("registry gone"));

        get("/goim/nodes/instances").json("{\"code\":-500,\"message\":\"server error: registry gone\"}", true);
        get("/goim/nodes/weighted?platform=ios").jsonPath("$.code").isEqualTo(-500);
    }
}
