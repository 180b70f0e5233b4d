package io.goim.logic.web;

import io.goim.logic.push.PushService;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
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
class PushController {
    private static final byte[] NO_BODY = new byte[0];

    private final PushService pushes;

    PushController(PushService pushes) {
        this.pushes = pushes;
    }

    @PostMapping("/keys")
    Mono<Reply> pushKeys(
            @RequestParam int operation, @RequestParam List<String> keys, @RequestBody(required = false) byte[] msg) {
        return pushes.pushKeys(operation, keys, msg == null ? NO_BODY : msg).thenReturn(Reply.ok());
    }

    @PostMapping("/mids")
    Mono<Reply> pushMids(
            @RequestParam int operation, @RequestParam List<Long> mids, @RequestBody(required = false) byte[] msg) {
        return pushes.pushMids(operation, mids, msg == null ? NO_BODY : msg).thenReturn(Reply.ok());
    }
}
