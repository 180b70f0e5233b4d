package io.goim.logic.web;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.push.PushMetrics;
import io.goim.logic.push.PushService;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * goim's four pushes from their query parameters and raw body (contract section 3), the same for
 * both ways in: {@link PushRoute} on Reactor Netty and {@link PushController} on WebFlux.
 * Repeatable parameters ({@code mids=1&mids=2}) and comma lists ({@code mids=1,2}) both count.
 * The body is read only once the parameters pass.
 */
@Component
final class PushRequests {
    /** The push types, as in the path {@code /goim/push/<type>} and the metrics' type tag. */
    static final List<String> TYPES = List.of("keys", "mids", "room", "all");

    private final PushService pushes;
    private final PushMetrics metrics;
    private final int maxTargets;

    PushRequests(PushService pushes, PushMetrics metrics, LogicProperties properties) {
        this.pushes = pushes;
        this.metrics = metrics;
        this.maxTargets = properties.limits().maxTargets();
    }

    /**
     * One push: fails with {@link RequestException} (-400, counted as rejected) for a bad parameter
     * or body, with the dependency's error (-500) when Redis or Kafka fail.
     */
    Mono<Void> push(String type, Map<String, List<String>> query, Supplier<Mono<byte[]>> body) {
        return Mono.defer(() -> switch (type) {
                    case "keys" -> {
                        int operation = Params.int32(query, "operation", null);
                        List<String> keys = Params.list("keys", Params.all(query, "keys"), maxTargets);
                        yield body.get().flatMap(msg -> pushes.pushKeys(operation, keys, msg));
                    }
                    case "mids" -> {
                        int operation = Params.int32(query, "operation", null);
                        List<Long> mids = Params.mids(Params.all(query, "mids"), maxTargets);
                        yield body.get().flatMap(msg -> pushes.pushMids(operation, mids, msg));
                    }
                    case "room" -> {
                        int operation = Params.int32(query, "operation", null);
                        String roomType = Params.roomPart("type", Params.required(query, "type"));
                        String room = Params.roomPart("room", Params.required(query, "room"));
                        yield body.get().flatMap(msg -> pushes.pushRoom(operation, roomType, room, msg));
                    }
                    case "all" -> {
                        int operation = Params.int32(query, "operation", null);
                        int speed = Params.int32(query, "speed", 0);
                        yield body.get().flatMap(msg -> pushes.pushAll(operation, speed, msg));
                    }
                    default -> throw new IllegalStateException("no push type " + type);
                })
                .doOnError(RequestException.class, e -> metrics.rejected(type));
    }
}
