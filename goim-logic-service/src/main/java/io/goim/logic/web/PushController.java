package io.goim.logic.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * goim's push endpoints (contract section 3), as Swagger documents them. The raw request body,
 * whatever its content type, is the message. By default {@link PushRoute} serves these paths on
 * Reactor Netty before WebFlux sees them; with {@code goim.logic.api.direct-push=false} this
 * controller does. Both hand the call to {@link PushRequests}.
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
    private static final String OPERATION = "business operation (int32), e.g. 1000";

    private final PushRequests requests;
    private final PushBody body;

    PushController(PushRequests requests, PushBody body) {
        this.requests = requests;
        this.body = body;
    }

    @PostMapping("/keys")
    @Operation(summary = "push to connection keys")
    @MessageBody
    @Parameter(
            name = "operation",
            in = ParameterIn.QUERY,
            required = true,
            description = OPERATION,
            schema = @Schema(type = "integer", format = "int32"))
    @Parameter(
            name = "keys",
            in = ParameterIn.QUERY,
            required = true,
            description = "connection keys, repeatable or comma-separated",
            array = @ArraySchema(schema = @Schema(type = "string")))
    Mono<Reply> pushKeys(ServerHttpRequest request) {
        return push("keys", request);
    }

    @PostMapping("/mids")
    @Operation(summary = "push to every connection of the users")
    @MessageBody
    @Parameter(
            name = "operation",
            in = ParameterIn.QUERY,
            required = true,
            description = OPERATION,
            schema = @Schema(type = "integer", format = "int32"))
    @Parameter(
            name = "mids",
            in = ParameterIn.QUERY,
            required = true,
            description = "user ids (int64), repeatable or comma-separated",
            array = @ArraySchema(schema = @Schema(type = "string")))
    Mono<Reply> pushMids(ServerHttpRequest request) {
        return push("mids", request);
    }

    @PostMapping("/room")
    @Operation(summary = "push to the room type://room")
    @MessageBody
    @Parameter(
            name = "operation",
            in = ParameterIn.QUERY,
            required = true,
            description = OPERATION,
            schema = @Schema(type = "integer", format = "int32"))
    @Parameter(
            name = "type",
            in = ParameterIn.QUERY,
            required = true,
            description = "room type, e.g. live",
            schema = @Schema(type = "string"))
    @Parameter(
            name = "room",
            in = ParameterIn.QUERY,
            required = true,
            description = "room, e.g. 1000",
            schema = @Schema(type = "string"))
    Mono<Reply> pushRoom(ServerHttpRequest request) {
        return push("room", request);
    }

    @PostMapping("/all")
    @Operation(summary = "broadcast to every connection that accepts the operation")
    @MessageBody
    @Parameter(
            name = "operation",
            in = ParameterIn.QUERY,
            required = true,
            description = OPERATION,
            schema = @Schema(type = "integer", format = "int32"))
    @Parameter(
            name = "speed",
            in = ParameterIn.QUERY,
            description = "how many channels per second the comets walk; 0 = no limit",
            schema = @Schema(type = "integer", format = "int32", defaultValue = "0"))
    Mono<Reply> pushAll(ServerHttpRequest request) {
        return push("all", request);
    }

    private Mono<Reply> push(String type, ServerHttpRequest request) {
        return requests.push(type, request.getQueryParams(), () -> body.read(request))
                .thenReturn(Reply.ok());
    }
}
