package io.goim.logic.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** nodes/weighted's data, field for field goim's NodesReply (contract sections 3 and 6). */
public record Nodes(
        String domain,
        @JsonProperty("tcp_port") int tcpPort,
        @JsonProperty("ws_port") int wsPort,
        @JsonProperty("wss_port") int wssPort,
        int heartbeat,
        @JsonProperty("heartbeat_max") int heartbeatMax,
        List<String> nodes,
        Backoff backoff) {

    /** goim's Backoff: how clients retry a connection. */
    public record Backoff(
            @JsonProperty("max_delay") int maxDelay,
            @JsonProperty("base_delay") int baseDelay,
            float factor,
            float jitter) {}
}
