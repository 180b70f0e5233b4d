package io.goim.logic.session;

import io.goim.logic.config.LogicProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which comet holds which connection (contract section 4): {@code mid_{mid}} hash of key → server
 * (only for mid > 0) and {@code key_{key}} → server, both expiring after the session expiry. The
 * commands of one call are issued together, so Lettuce pipelines them on its shared connection.
 */
@Component
public final class SessionStore {
    /**
     * Compare-and-delete, atomic: goim's Disconnect deletes {@code key_{key}} unconditionally, and so
     * loses the session of a newer connection with the same key on another comet. One script per
     * Redis key keeps it usable on a Redis Cluster.
     */
    private static final RedisScript<Long> DELETE_KEY_IF_SERVER = RedisScript.of(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", Long.class);

    private static final RedisScript<Long> DELETE_FIELD_IF_SERVER = RedisScript.of(
            "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end"
                    + " return 0",
            Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final RedisCalls calls;
    private final Duration expire;

    SessionStore(ReactiveStringRedisTemplate redis, RedisCalls calls, LogicProperties properties) {
        this.redis = redis;
        this.calls = calls;
        this.expire = properties.session().expire();
    }

    static String midKey(long mid) {
        return "mid_" + mid;
    }

    static String keyKey(String key) {
        return "key_" + key;
    }

    /** Connect: adds both mappings. */
    public Mono<Void> addMapping(long mid, String key, String server) {
        Mono<Boolean> byKey = redis.opsForValue().set(keyKey(key), server, expire);
        if (mid <= 0) {
            return calls.sessionCall("add_mapping", byKey).then();
        }
        Mono<Boolean> byMid = redis.opsForHash().put(midKey(mid), key, server).then(redis.expire(midKey(mid), expire));
        return calls.sessionCall("add_mapping", Mono.when(byMid, byKey).then(Mono.just(true)))
                .then();
    }

    /** Heartbeat: renews both mappings; false when one of them is gone. */
    public Mono<Boolean> expireMapping(long mid, String key) {
        Mono<Boolean> byKey = redis.expire(keyKey(key), expire);
        if (mid <= 0) {
            return calls.sessionCall("expire_mapping", byKey);
        }
        return calls.sessionCall(
                "expire_mapping", Mono.zip(redis.expire(midKey(mid), expire), byKey, (a, b) -> a && b));
    }

    /**
     * Disconnect: deletes both mappings, but only where they still name {@code server}; true when
     * the key mapping was deleted. An empty server (a comet that does not send it) deletes as goim.
     */
    public Mono<Boolean> deleteMapping(long mid, String key, String server) {
        if (server.isEmpty()) {
            Mono<Boolean> byKey = redis.delete(keyKey(key)).map(n -> n > 0);
            Mono<Boolean> result = mid <= 0
                    ? byKey
                    : Mono.zip(redis.opsForHash().remove(midKey(mid), key), byKey, (removed, has) -> has);
            return calls.sessionCall("delete_mapping", result);
        }
        Mono<Boolean> byKey = redis.execute(DELETE_KEY_IF_SERVER, List.of(keyKey(key)), List.of(server))
                .next()
                .map(n -> n > 0);
        if (mid <= 0) {
            return calls.sessionCall("delete_mapping", byKey);
        }
        Mono<Long> byMid = redis.execute(DELETE_FIELD_IF_SERVER, List.of(midKey(mid)), List.of(key, server))
                .next();
        return calls.sessionCall("delete_mapping", Mono.zip(byMid, byKey, (removed, has) -> has));
    }

    /** Push by keys: MGET of {@code key_*}; keys without a session are left out. */
    public Mono<Map<String, String>> serversByKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return Mono.just(Map.of());
        }
        return calls.call(
                "servers_by_keys",
                redis.opsForValue()
                        .multiGet(keys.stream().map(SessionStore::keyKey).toList())
                        .map(servers -> {
                            Map<String, String> byKey = new LinkedHashMap<>();
                            for (int i = 0; i < keys.size(); i++) {
                                String server = servers.get(i);
                                if (server != null && !server.isEmpty()) {
                                    byKey.put(keys.get(i), server);
                                }
                            }
                            return byKey;
                        }));
    }

    /** Push by mids: HGETALL of each {@code mid_*}, pipelined; every connection key of those users. */
    public Mono<Map<String, String>> serversByMids(List<Long> mids) {
        return calls.call(
                "servers_by_mids",
                Flux.fromIterable(mids)
                        .flatMapSequential(
                                mid -> redis.<String, String>opsForHash().entries(midKey(mid)))
                        .filter(entry -> !entry.getValue().isEmpty())
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new));
    }
}
