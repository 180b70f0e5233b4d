package io.goim.logic.session;

import io.goim.logic.config.LogicProperties;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Which comet holds which connection (contract section 4): {@code mid_{mid}} hash of key → server
 * (only for mid > 0) and {@code key_{key}} → server, both expiring after the session expiry. The
 * commands of one call are issued together on Lettuce's shared connection, without waiting for
 * each other's replies, as goim pipelines them.
 */
@Component
public final class SessionStore {
    /**
     * Compare-and-delete, atomic: goim's Disconnect deletes {@code key_{key}} unconditionally, and so
     * loses the session of a newer connection with the same key on another comet. One script per
     * Redis key keeps it usable on a Redis Cluster.
     */
    private static final String DELETE_KEY_IF_SERVER =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private static final String DELETE_FIELD_IF_SERVER =
            "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end"
                    + " return 0";

    private final RedisCalls calls;
    private final long expireSeconds;

    SessionStore(RedisCalls calls, LogicProperties properties) {
        this.calls = calls;
        this.expireSeconds = Math.max(1, properties.session().expire().toSeconds());
    }

    static String midKey(long mid) {
        return "mid_" + mid;
    }

    static String keyKey(String key) {
        return "key_" + key;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Connect: adds both mappings. */
    public Mono<Void> addMapping(long mid, String key, String server) {
        return Mono.fromFuture(add(mid, key, server), true);
    }

    /** Connect, without Reactor: adds both mappings. */
    public CompletableFuture<Void> add(long mid, String key, String server) {
        return calls.sessionCommands("add_mapping", redis -> {
            byte[] at = bytes(server);
            RedisFuture<String> byKey = redis.setex(bytes(keyKey(key)), expireSeconds, at);
            if (mid <= 0) {
                return byKey.thenApply(ok -> null);
            }
            byte[] midKey = bytes(midKey(mid));
            RedisFuture<Boolean> field = redis.hset(midKey, bytes(key), at);
            RedisFuture<Boolean> expiry = redis.expire(midKey, expireSeconds);
            return CompletableFuture.allOf(
                    byKey.toCompletableFuture(), field.toCompletableFuture(), expiry.toCompletableFuture());
        });
    }

    /**
     * RenewOnline: {@code sv_{server}} says that the comet's sessions are in this Redis; renewed with
     * the sessions' expiry. False when it was missing: Redis lost them (a restart without persistence,
     * a flush), or this is the comet's first report; the comet then writes them again (Heartbeat).
     */
    public Mono<Boolean> markServer(String server) {
        return Mono.fromFuture(
                calls.sessionCommands(
                        "mark_server",
                        redis -> redis.setGet(bytes(serverKey(server)), bytes("1"), SetArgs.Builder.ex(expireSeconds))
                                .thenApply(old -> old != null)),
                true);
    }

    static String serverKey(String server) {
        return "sv_" + server;
    }

    /** Heartbeat: renews both mappings; false when one of them is gone. */
    public Mono<Boolean> expireMapping(long mid, String key) {
        return Mono.fromFuture(
                calls.sessionCommands("expire_mapping", redis -> {
                    RedisFuture<Boolean> byKey = redis.expire(bytes(keyKey(key)), expireSeconds);
                    if (mid <= 0) {
                        return byKey;
                    }
                    return redis.expire(bytes(midKey(mid)), expireSeconds)
                            .thenCombine(byKey, (a, b) -> Boolean.TRUE.equals(a) && Boolean.TRUE.equals(b));
                }),
                true);
    }

    /**
     * Disconnect: deletes both mappings, but only where they still name {@code server}; true when
     * the key mapping was deleted. An empty server (a comet that does not send it) deletes as goim.
     */
    public Mono<Boolean> deleteMapping(long mid, String key, String server) {
        return Mono.fromFuture(delete(mid, key, server), true);
    }

    /** Disconnect, without Reactor. */
    public CompletableFuture<Boolean> delete(long mid, String key, String server) {
        return calls.sessionCommands("delete_mapping", redis -> {
            byte[] keyKey = bytes(keyKey(key));
            if (server.isEmpty()) {
                RedisFuture<Long> byKey = redis.del(keyKey);
                if (mid <= 0) {
                    return byKey.thenApply(n -> n != null && n > 0);
                }
                return redis.hdel(bytes(midKey(mid)), bytes(key))
                        .thenCombine(byKey, (removed, n) -> n != null && n > 0);
            }
            byte[] at = bytes(server);
            RedisFuture<Long> byKey =
                    redis.eval(DELETE_KEY_IF_SERVER, ScriptOutputType.INTEGER, new byte[][] {keyKey}, at);
            if (mid <= 0) {
                return byKey.thenApply(n -> n != null && n > 0);
            }
            RedisFuture<Long> byMid = redis.eval(
                    DELETE_FIELD_IF_SERVER,
                    ScriptOutputType.INTEGER,
                    new byte[][] {bytes(midKey(mid))},
                    bytes(key),
                    at);
            return byMid.thenCombine(byKey, (removed, has) -> has != null && has > 0);
        });
    }

    /** Push by keys: MGET of {@code key_*}; keys without a session are left out. */
    public Mono<Map<String, String>> serversByKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return Mono.just(Map.of());
        }
        return Mono.fromFuture(
                calls.commands("servers_by_keys", redis -> {
                    byte[][] redisKeys = new byte[keys.size()][];
                    for (int i = 0; i < redisKeys.length; i++) {
                        redisKeys[i] = bytes(keyKey(keys.get(i)));
                    }
                    return redis.mget(redisKeys).thenApply(servers -> {
                        Map<String, String> byKey = new LinkedHashMap<>();
                        for (int i = 0; i < keys.size() && i < servers.size(); i++) {
                            KeyValue<byte[], byte[]> server = servers.get(i);
                            if (server.hasValue() && server.getValue().length > 0) {
                                byKey.put(keys.get(i), text(server.getValue()));
                            }
                        }
                        return byKey;
                    });
                }),
                true);
    }

    /** Push by mids: HGETALL of each {@code mid_*}, pipelined; every connection key of those users. */
    public Mono<Map<String, String>> serversByMids(List<Long> mids) {
        if (mids.isEmpty()) {
            return Mono.just(Map.of());
        }
        return Mono.fromFuture(
                calls.commands("servers_by_mids", redis -> {
                    List<CompletableFuture<Map<byte[], byte[]>>> all = new ArrayList<>(mids.size());
                    for (long mid : mids) {
                        all.add(redis.hgetall(bytes(midKey(mid))).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                            .thenApply(done -> {
                                Map<String, String> byKey = new LinkedHashMap<>();
                                for (CompletableFuture<Map<byte[], byte[]>> entries : all) {
                                    entries.join().forEach((key, server) -> {
                                        if (server != null && server.length > 0) {
                                            byKey.put(text(key), text(server));
                                        }
                                    });
                                }
                                return byKey;
                            });
                }),
                true);
    }

    /** Where a key of a mid is connected. */
    public record MidAt(long mid, String server) {}

    /** Push by mids with history: HGETALL of {@code mid_*} like {@link #serversByMids}, keeping each key's mid. */
    public Mono<Map<String, MidAt>> midsByKeys(List<Long> mids) {
        if (mids.isEmpty()) {
            return Mono.just(Map.of());
        }
        return Mono.fromFuture(
                calls.commands("servers_by_mids", redis -> {
                    List<Long> asked = List.copyOf(mids);
                    List<CompletableFuture<Map<byte[], byte[]>>> all = new ArrayList<>(asked.size());
                    for (long mid : asked) {
                        all.add(redis.hgetall(bytes(midKey(mid))).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                            .thenApply(done -> {
                                Map<String, MidAt> byKey = new LinkedHashMap<>();
                                for (int i = 0; i < asked.size(); i++) {
                                    long mid = asked.get(i);
                                    all.get(i).join().forEach((key, server) -> {
                                        if (server != null && server.length > 0) {
                                            byKey.put(text(key), new MidAt(mid, text(server)));
                                        }
                                    });
                                }
                                return byKey;
                            });
                }),
                true);
    }
}
