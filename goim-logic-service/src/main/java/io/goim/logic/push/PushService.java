package io.goim.logic.push;

import com.google.protobuf.ByteString;
import io.goim.logic.config.LogicProperties;
import io.goim.logic.history.HistoryService;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.session.SessionStore;
import io.goim.proto.logic.PushMsg;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * goim's four pushes as PushMsg records (contract section 5): PUSH grouped by comet server, one
 * record per server keyed by its first connection key; ROOM keyed by the room id {@code
 * type://room}; BROADCAST keyed by the operation. A connection whose comet left discovery (its
 * session outlives it until it expires) is left out of a PUSH, counted as {@code goim.push.skipped}.
 */
@Service
public final class PushService {
    private static final Logger log = LoggerFactory.getLogger(PushService.class);

    private final SessionStore sessions;
    private final PushPublisher publisher;
    private final PushMetrics metrics;
    private final HistoryService history;
    private final CometDirectory directory;
    private final String topic;

    PushService(
            SessionStore sessions,
            PushPublisher publisher,
            PushMetrics metrics,
            HistoryService history,
            CometDirectory directory,
            LogicProperties properties) {
        this.history = history;
        this.directory = directory;
        this.sessions = sessions;
        this.publisher = publisher;
        this.metrics = metrics;
        this.topic = properties.kafka().topic();
    }

    public Mono<Void> pushKeys(int operation, List<String> keys, byte[] msg) {
        return measured(
                "keys",
                msg,
                sessions.serversByKeys(keys).flatMap(byKey -> publishPerServer(operation, byKey, Map.of(), msg)));
    }

    /**
     * Stores the message in every mid's inbox first (docs/recovery.md: numbered here, whether or not
     * the user is connected), then publishes as goim does, with each key's user offset in {@code seqs}.
     */
    public Mono<Void> pushMids(int operation, List<Long> mids, byte[] msg) {
        if (!history.enabled()) {
            return measured(
                    "mids",
                    msg,
                    sessions.serversByMids(mids).flatMap(byKey -> publishPerServer(operation, byKey, Map.of(), msg)));
        }
        return measured(
                "mids",
                msg,
                history.appendMids(mids, operation, msg)
                        .flatMap(offsets -> sessions.midsByKeys(mids).flatMap(byKey -> {
                            Map<String, String> servers = new LinkedHashMap<>();
                            Map<String, Integer> seqs = new LinkedHashMap<>();
                            byKey.forEach((key, at) -> {
                                servers.put(key, at.server());
                                seqs.put(key, offsets.getOrDefault(at.mid(), 0));
                            });
                            return publishPerServer(operation, servers, seqs, msg);
                        })));
    }

    public Mono<Void> pushRoom(int operation, String type, String room, byte[] msg) {
        String roomId = type + "://" + room;
        PushMsg record = PushMsg.newBuilder()
                .setType(PushMsg.Type.ROOM)
                .setOperation(operation)
                .setRoom(roomId)
                .setMsg(ByteString.copyFrom(msg))
                .build();
        // the warm-up's own pushes are counted apart: they are not users' pushes (PushWarmup)
        String counted = PushWarmup.ROOM_TYPE.equals(type) ? "warmup" : "room";
        return measured(counted, msg, publisher.publish(topic, roomId, record.toByteArray()));
    }

    public Mono<Void> pushAll(int operation, int speed, byte[] msg) {
        PushMsg record = PushMsg.newBuilder()
                .setType(PushMsg.Type.BROADCAST)
                .setOperation(operation)
                .setSpeed(speed)
                .setMsg(ByteString.copyFrom(msg))
                .build();
        return measured("all", msg, publisher.publish(topic, Integer.toString(operation), record.toByteArray()));
    }

    private Mono<Void> measured(String type, byte[] msg, Mono<Void> push) {
        return push.doOnSuccess(v -> {
                    metrics.count(type, "ok");
                    metrics.body(type, msg.length);
                })
                .doOnError(e -> {
                    metrics.count(type, "error");
                    log.warn("push failed type={} error={}", type, e.toString());
                });
    }

    private Mono<Void> publishPerServer(
            int operation, Map<String, String> serverByKey, Map<String, Integer> seqByKey, byte[] msg) {
        Map<String, List<String>> keysByServer = new LinkedHashMap<>();
        int skipped = 0;
        for (Map.Entry<String, String> at : serverByKey.entrySet()) {
            if (directory.departed(at.getValue())) {
                skipped++;
            } else {
                keysByServer
                        .computeIfAbsent(at.getValue(), s -> new ArrayList<>())
                        .add(at.getKey());
            }
        }
        if (skipped > 0) {
            metrics.skipped(skipped);
        }
        if (keysByServer.isEmpty()) {
            log.debug("push to nobody online op={}", operation);
        }
        ByteString body = ByteString.copyFrom(msg);
        return Flux.fromIterable(keysByServer.entrySet())
                .flatMap(entry -> {
                    PushMsg.Builder record = PushMsg.newBuilder()
                            .setType(PushMsg.Type.PUSH)
                            .setOperation(operation)
                            .setServer(entry.getKey())
                            .addAllKeys(entry.getValue())
                            .setMsg(body);
                    if (!seqByKey.isEmpty()) {
                        entry.getValue().forEach(key -> record.addSeqs(seqByKey.getOrDefault(key, 0)));
                    }
                    return publisher.publish(
                            topic, entry.getValue().getFirst(), record.build().toByteArray());
                })
                .then();
    }
}
