package io.goim.logic.web;

import io.goim.logic.history.HistoryPage;
import io.goim.logic.history.HistoryService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Not goim's (issue 15, docs/recovery.md): the stored messages of a room or of a user's inbox, for
 * back ends, e.g. to reload a client that could not be recovered. Behind the push API's keys.
 */
@RestController
@RequestMapping("/goim/history")
@Tag(name = "history", description = "stored messages of a room or a user (mid) after an offset")
@ApiResponse(
        responseCode = "200",
        description = "goim's envelope: code 0 with data {epoch, offset, recovered, messages: [{offset, op, body"
                + " (base64)}]}; -400 a missing or bad parameter; -500 Redis failed or did not answer in time",
        content = @Content(schema = @Schema(implementation = Reply.class)))
@ApiResponse(
        responseCode = "401",
        description = "code -401: API keys are configured and the bearer key is missing or wrong",
        content = @Content(schema = @Schema(implementation = Reply.class)))
class HistoryController {
    static final int MAX_LIMIT = 1000;

    private final HistoryService history;

    HistoryController(HistoryService history) {
        this.history = history;
    }

    @GetMapping("/room")
    @Operation(summary = "messages of a room after an offset, oldest first")
    Mono<Reply> room(
            @Parameter(description = "room id type://id, e.g. live://1000") @RequestParam(required = false) String room,
            @Parameter(description = "messages with an offset above this one (default 0)")
                    @RequestParam(required = false, defaultValue = "0")
                    String since,
            @Parameter(description = "how many at most, 1..1000 (default 100)")
                    @RequestParam(required = false, defaultValue = "100")
                    String limit,
            @Parameter(description = "the epoch the client holds; another one answers recovered=false")
                    @RequestParam(required = false)
                    String epoch) {
        return Mono.defer(() -> {
            if (room == null || room.isBlank()) {
                throw new RequestException("room is required (type://id)");
            }
            int at = room.indexOf("://");
            if (at <= 0 || at + 3 == room.length()) {
                throw new RequestException("room must be type://id, was " + room);
            }
            return history.roomPage(room, epoch, since(since), limit(limit)).map(HistoryController::ok);
        });
    }

    @GetMapping("/mid")
    @Operation(summary = "messages of a user's inbox (pushes by mids) after an offset, oldest first")
    Mono<Reply> mid(
            @Parameter(description = "user id, above 0") @RequestParam(required = false) String mid,
            @Parameter(description = "messages with an offset above this one (default 0)")
                    @RequestParam(required = false, defaultValue = "0")
                    String since,
            @Parameter(description = "how many at most, 1..1000 (default 100)")
                    @RequestParam(required = false, defaultValue = "100")
                    String limit,
            @Parameter(description = "the epoch the client holds; another one answers recovered=false")
                    @RequestParam(required = false)
                    String epoch) {
        return Mono.defer(() -> {
            if (mid == null || mid.isBlank()) {
                throw new RequestException("mid is required");
            }
            long parsed;
            try {
                parsed = Long.parseLong(mid.trim());
            } catch (NumberFormatException e) {
                throw new RequestException("mid must be an int64, was " + mid);
            }
            if (parsed <= 0) {
                throw new RequestException("mid must be above 0, was " + mid);
            }
            return history.midPage(parsed, epoch, since(since), limit(limit)).map(HistoryController::ok);
        });
    }

    private static Reply ok(HistoryPage page) {
        return Reply.ok(page);
    }

    private static long since(String since) {
        try {
            long parsed = Long.parseLong(since.trim());
            if (parsed < 0) {
                throw new RequestException("since must be 0 or more, was " + since);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new RequestException("since must be an integer, was " + since);
        }
    }

    private static int limit(String limit) {
        try {
            int parsed = Integer.parseInt(limit.trim());
            if (parsed < 1 || parsed > MAX_LIMIT) {
                throw new RequestException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new RequestException("limit must be an integer, was " + limit);
        }
    }
}
