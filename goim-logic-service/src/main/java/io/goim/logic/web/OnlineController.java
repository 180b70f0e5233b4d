package io.goim.logic.web;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.online.RoomCounts;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * goim's online queries (contract section 3), answered from the counts reloaded every 10 s from
 * the comets' {@code ol_*} entries and from their Eureka metadata; no Redis call per request.
 */
@RestController
@RequestMapping("/goim/online")
@Tag(name = "online", description = "online counts of rooms and of the whole cluster")
@ApiResponse(
        responseCode = "200",
        description = "goim's envelope: code 0 with data; -400 a missing or bad parameter",
        content = @Content(schema = @Schema(implementation = Reply.class)))
@ApiResponse(
        responseCode = "401",
        description = "code -401: goim.logic.api.protect-queries is on and the bearer key is missing or wrong",
        content = @Content(schema = @Schema(implementation = Reply.class)))
class OnlineController {
    private final RoomCounts counts;
    private final CometDirectory comets;
    private final int maxTargets;

    OnlineController(RoomCounts counts, CometDirectory comets, LogicProperties properties) {
        this.counts = counts;
        this.comets = comets;
        this.maxTargets = properties.limits().maxTargets();
    }

    @GetMapping("/top")
    @Operation(summary = "top rooms of a type by count; data: [{\"room_id\": \"1000\", \"count\": 100}, ...]")
    Reply top(
            @Parameter(description = "room type, e.g. live") @RequestParam String type,
            @Parameter(description = "how many rooms, at least 1") @RequestParam int limit) {
        if (limit < 1) {
            throw new RequestException("limit must be at least 1");
        }
        return Reply.ok(counts.top(type, limit));
    }

    @GetMapping("/room")
    @Operation(summary = "counts of rooms of a type; data: {\"1000\": 100, ...}, 0 for an empty room")
    Reply room(
            @Parameter(description = "room type, e.g. live") @RequestParam String type,
            @Parameter(description = "rooms, repeatable or comma-separated") @RequestParam List<String> rooms) {
        return Reply.ok(counts.rooms(type, Params.list("rooms", rooms, maxTargets)));
    }

    @GetMapping("/total")
    @Operation(summary = "connections and IPs of every comet; data: {\"conn_count\": N, \"ip_count\": M}")
    Reply total() {
        return Reply.ok(comets.totals());
    }
}
