package io.goim.logic.web;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.push.PushMetrics;
import io.goim.logic.push.PushService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * goim's push endpoints (contract section 3). The raw request body, whatever its content type, is
 * the message. Repeatable parameters ({@code mids=1&mids=2}) and comma lists ({@code mids=1,2}) both
 * bind.
 */
@RestController
@RequestMapping("/goim/push")
@Tag(name = "push", description = "push a message (the raw request body) to connections, users, a room or everyone")
@ApiResponse(
        responseCode = "200",
        description = "goim's envelope: code 0 OK; -400 a missing or bad parameter, too many keys/mids "
                + "(goim.logic.limits.max-targets) or a body over goim.logic.limits.max-body; -500 Redis or "
                + "Kafka failed or did not answer in time",
        content = @Content(schema = @Schema(implementation = Reply.class)))
@ApiResponse(
        responseCode = "401",
        description = "code -401: API keys are configured and the bearer key is missing or wrong",
        content = @Content(schema = @Schema(implementation = Reply.class)))
class PushController {
    private final PushService pushes;
    private final PushMetrics metrics;
    private final PushBody body;
    private final int maxTargets;

    PushController(PushService pushes, PushMetrics metrics, PushBody body, LogicProperties properties) {
        this.pushes = pushes;
        this.metrics = metrics;
        this.body = body;
        this.maxTargets = properties.limits().maxTargets();
    }

    @PostMapping("/keys")
    @Operation(summary = "push to connection keys")
    @MessageBody
    Mono<Reply> pushKeys(
            @Parameter(description = "business operation (int32), e.g. 1000") @RequestParam int operation,
            @Parameter(description = "connection keys, repeatable or comma-separated") @RequestParam List<String> keys,
            ServerHttpRequest request) {
        return push("keys", () -> {
            List<String> targets = Params.list("keys", keys, maxTargets);
            return body.read(request).flatMap(msg -> pushes.pushKeys(operation, targets, msg));
        });
    }

    @PostMapping("/mids")
    @Operation(summary = "push to every connection of the users")
    @MessageBody
    Mono<Reply> pushMids(
            @Parameter(description = "business operation (int32), e.g. 1000") @RequestParam int operation,
            @Parameter(description = "user ids (int64), repeatable or comma-separated") @RequestParam List<String> mids,
            ServerHttpRequest request) {
        return push("mids", () -> {
            List<Long> targets = Params.mids(mids, maxTargets);
            return body.read(request).flatMap(msg -> pushes.pushMids(operation, targets, msg));
        });
    }

    @PostMapping("/room")
    @Operation(summary = "push to the room type://room")
    @MessageBody
    Mono<Reply> pushRoom(
            @Parameter(description = "business operation (int32)") @RequestParam int operation,
            @Parameter(description = "room type, e.g. live") @RequestParam String type,
            @Parameter(description = "room, e.g. 1000") @RequestParam String room,
            ServerHttpRequest request) {
        return push("room", () -> {
            String roomType = Params.roomPart("type", type);
            String roomId = Params.roomPart("room", room);
            return body.read(request).flatMap(msg -> pushes.pushRoom(operation, roomType, roomId, msg));
        });
    }

    @PostMapping("/all")
    @Operation(summary = "broadcast to every connection that accepts the operation")
    @MessageBody
    Mono<Reply> pushAll(
            @Parameter(description = "business operation (int32)") @RequestParam int operation,
            @Parameter(description = "how many channels per second the comets walk; 0 = no limit")
                    @RequestParam(defaultValue = "0")
                    int speed,
            ServerHttpRequest request) {
        return push("all", () -> body.read(request).flatMap(msg -> pushes.pushAll(operation, speed, msg)));
    }

    private Mono<Reply> push(String type, Supplier<Mono<Void>> push) {
        return Mono.defer(push)
                .doOnError(RequestException.class, e -> metrics.rejected(type))
                .thenReturn(Reply.ok());
    }
}
