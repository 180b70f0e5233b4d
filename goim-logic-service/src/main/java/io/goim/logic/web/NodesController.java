package io.goim.logic.web;

import io.goim.logic.node.NodesService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.InetSocketAddress;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** goim's node queries (contract section 3): where a client should connect. */
@RestController
@RequestMapping("/goim/nodes")
@Tag(name = "nodes", description = "the comets a client should connect to")
@ApiResponse(
        responseCode = "200",
        description = "goim's envelope: code 0 with data",
        content = @Content(schema = @Schema(implementation = Reply.class)))
@ApiResponse(
        responseCode = "401",
        description = "code -401: goim.logic.api.protect-queries is on and the bearer key is missing or wrong",
        content = @Content(schema = @Schema(implementation = Reply.class)))
class NodesController {
    private final NodesService nodes;

    NodesController(NodesService nodes) {
        this.nodes = nodes;
    }

    @GetMapping("/weighted")
    @Operation(
            summary = "comets chosen by weight and load, preferring the client's region; data: {domain, "
                    + "tcp_port, ws_port, wss_port, heartbeat (s), heartbeat_max, nodes, backoff}")
    Reply weighted(
            @Parameter(description = "web (nodes are domains), android or ios (nodes are addresses)")
                    @RequestParam(defaultValue = "")
                    String platform,
            ServerHttpRequest request) {
        return Reply.ok(nodes.weighted(platform, clientIp(request)));
    }

    @GetMapping("/instances")
    @Operation(summary = "the comets Eureka lists (not offline), with their metadata")
    Reply instances() {
        return Reply.ok(nodes.instances());
    }

    /** As goim (gin's ClientIP): X-Forwarded-For's first address, X-Real-IP, then the peer. */
    static String clientIp(ServerHttpRequest request) {
        String forwarded = request.getHeaders().getFirst("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            return forwarded.split(",")[0].strip();
        }
        String real = request.getHeaders().getFirst("X-Real-IP");
        if (real != null && !real.isBlank()) {
            return real.strip();
        }
        InetSocketAddress remote = request.getRemoteAddress();
        return remote == null || remote.getAddress() == null
                ? ""
                : remote.getAddress().getHostAddress();
    }
}
