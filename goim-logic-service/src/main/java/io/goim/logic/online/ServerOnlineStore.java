package io.goim.logic.online;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.session.RedisCalls;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ol_{server}}: a hash of 64 fields, room id hash mod 64, each the JSON of {@link
 * ServerOnline} (contract section 4). Readers read every field, so the hash only spreads rooms;
 * goim uses CityHash32, this uses CRC32 (both stable, neither is read back).
 */
@Component
class ServerOnlineStore {
    static final int FIELDS = 64;
    private static final Logger log = LoggerFactory.getLogger(ServerOnlineStore.class);

    private final ReactiveStringRedisTemplate redis;
    private final RedisCalls calls;
    private final JsonMapper json;
    private final Duration expire;

    ServerOnlineStore(
            ReactiveStringRedisTemplate redis, RedisCalls calls, JsonMapper json, LogicProperties properties) {
        this.redis = redis;
        this.calls = calls;
        this.json = json;
        this.expire = properties.session().expire();
    }

    static String onlineKey(String server) {
        return "ol_" + server;
    }

    static int field(String room) {
        CRC32 crc = new CRC32();
        crc.update(room.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % FIELDS);
    }

    /** RenewOnline: one HSET of every non-empty field and an EXPIRE, pipelined. */
    Mono<Void> write(String server, Map<String, Integer> roomCount, long updated) {
        Map<Integer, Map<String, Integer>> byField = new HashMap<>();
        roomCount.forEach((room, count) ->
                byField.computeIfAbsent(field(room), f -> new HashMap<>()).put(room, count));
        if (byField.isEmpty()) {
            return Mono.empty();
        }
        Map<String, String> fields = new HashMap<>();
        byField.forEach((field, rooms) ->
                fields.put(Integer.toString(field), json.writeValueAsString(new ServerOnline(server, rooms, updated))));
        String key = onlineKey(server);
        return calls.sessionCall(
                        "renew_online",
                        Mono.when(redis.<String, String>opsForHash().putAll(key, fields), redis.expire(key, expire))
                                .then(Mono.just(true)))
                .then();
    }

    /** Every field of one comet; a field that is not goim's JSON is skipped. */
    Mono<List<ServerOnline>> read(String server) {
        return calls.call(
                "load_online",
                redis.<String, String>opsForHash()
                        .values(onlineKey(server))
                        .collectList()
                        .map(values -> {
                            List<ServerOnline> entries = new ArrayList<>(values.size());
                            for (String value : values) {
                                try {
                                    entries.add(json.readValue(value, ServerOnline.class));
                                } catch (JacksonException e) {
                                    log.warn("online entry skipped server={} reason=not-json", server);
                                }
                            }
                            return entries;
                        }));
    }
}
