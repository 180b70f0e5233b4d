package io.goim.logic.push;

import com.google.protobuf.ByteString;
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
 * Push by keys and by mids: finds the comets that hold the connections and sends one PUSH record
 * per comet, keyed by its first connection key (contract section 5).
 */
@Service
public class PushService {
    private static final Logger log = LoggerFactory.getLogger(PushService.class);

    private final SessionStore sessions;
    private final PushPublisher publisher;

    PushService(SessionStore sessions, PushPublisher publisher) {
        this.sessions = sessions;
        this.publisher = publisher;
    }

    public Mono<Void> pushKeys(int operation, List<String> keys, byte[] msg) {
        return sessions.serversByKeys(keys).flatMap(byKey -> publishPerServer(operation, byKey, msg));
    }

    public Mono<Void> pushMids(int operation, List<Long> mids, byte[] msg) {
        return sessions.serversByMids(mids).flatMap(byKey -> publishPerServer(operation, byKey, msg));
    }

    private Mono<Void> publishPerServer(int operation, Map<String, String> serverByKey, byte[] msg) {
        Map<String, List<String>> keysByServer = new LinkedHashMap<>();
        serverByKey.forEach((key, server) ->
                keysByServer.computeIfAbsent(server, s -> new ArrayList<>()).add(key));
        if (keysByServer.isEmpty()) {
            log.debug("push to nobody online op={}", operation);
        }
        ByteString body = ByteString.copyFrom(msg);
        return Flux.fromIterable(keysByServer.entrySet())
                .flatMap(entry -> publisher.publish(
                        entry.getValue().getFirst(),
                        PushMsg.newBuilder()
                                .setType(PushMsg.Type.PUSH)
                                .setOperation(operation)
                                .setServer(entry.getKey())
                                .addAllKeys(entry.getValue())
                                .setMsg(body)
                                .build()))
                .then();
    }
}
