package io.goim.logic.session;

import io.goim.logic.config.LogicProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which comet holds which connection (contract section 4): {@code mid_{mid}} hash of key → server
 * (only for mid > 0) and {@code key_{key}} → server, both expiring after the session expiry. The
 * commands of one call are issued together, so Lettuce pipelines them on its shared connection.
 */
@Component
public class SessionStore {
    private final ReactiveStringRedisTemplate redis;
    private final Duration expire;

    SessionStore(ReactiveStringRedisTemplate redis, LogicProperties properties) {
        this.redis = redis;
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
            return byKey.then();
        }
        Mono<Boolean> byMid = redis.opsForHash().put(midKey(mid), key, server).then(redis.expire(midKey(mid), expire));
        return Mono.when(byMid, byKey);
    }

    /** Heartbeat: renews both mappings; false when one of them is gone. */
    public Mono<Boolean> expireMapping(long mid, String key) {
        Mono<Boolean> byKey = redis.expire(keyKey(key), expire);
        if (mid <= 0) {
            return byKey;
        }
        return Mono.zip(redis.expire(midKey(mid), expire), byKey, (a, b) -> a && b);
    }

    /** Disconnect: deletes both mappings; true when the key mapping existed. */
    public Mono<Boolean> deleteMapping(long mid, String key) {
        Mono<Boolean> byKey = redis.delete(keyKey(key)).map(n -> n > 0);
        if (mid <= 0) {
            return byKey;
        }
        return Mono.zip(redis.opsForHash().remove(midKey(mid), key), byKey, (removed, has) -> has);
    }

    /** Push by keys: MGET of {@code key_*}; keys without a session are left out. */
    public Mono<Map<String, String>> serversByKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return Mono.just(Map.of());
        }
        return redis.opsForValue()
                .multiGet(keys.stream().map(SessionStore::keyKey).toList())
                .map(servers -> {
                    Map<String, String> byKey = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        if (servers.get(i) != null) {
                            byKey.put(keys.get(i), servers.get(i));
                        }
                    }
                    return byKey;
                });
    }

    /** Push by mids: HGETALL of each {@code mid_*}, pipelined; every connection key of those users. */
    public Mono<Map<String, String>> serversByMids(List<Long> mids) {
        return Flux.fromIterable(mids)
                .flatMapSequential(mid -> redis.<String, String>opsForHash().entries(midKey(mid)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
    }
}
