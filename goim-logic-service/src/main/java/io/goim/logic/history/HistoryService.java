package io.goim.logic.history;

import static io.goim.proto.contract.HistoryKeys.ROOM_HISTORY;
import static io.goim.proto.contract.HistoryKeys.ROOM_POSITION;
import static io.goim.proto.contract.HistoryKeys.USER_INBOX;
import static io.goim.proto.contract.HistoryKeys.USER_POSITION;
import static io.goim.proto.contract.HistoryKeys.ascii;
import static io.goim.proto.contract.HistoryKeys.epoch;
import static io.goim.proto.contract.HistoryKeys.key;

import com.google.protobuf.ByteString;
import io.goim.logic.config.LogicProperties;
import io.goim.logic.session.RedisCalls;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.goim.proto.logic.RecoverReply;
import io.goim.proto.logic.RecoverReq;
import io.goim.proto.logic.StreamRecovery;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The streams in Redis (docs/recovery.md, "Redis keys"): the user inbox filled by pushes by mids,
 * and the reads of room and user streams for comet's recover and the HTTP API. Each stream is one
 * script call; the calls of one request go out together on Lettuce's shared connection.
 */
@Service
public final class HistoryService {
    private static final String READ = load("stream-read.lua");
    private static final String APPEND = load("user-append.lua");

    private final RedisCalls calls;
    private final LogicProperties.History settings;

    HistoryService(RedisCalls calls, LogicProperties properties) {
        this.calls = calls;
        this.settings = properties.history();
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /**
     * Stores one push by mids in the inbox of every mid > 0; completes with each mid's offset (an
     * empty map when history is off). Runs before the sessions are looked up, so that the inbox
     * fills whether or not the user is connected.
     */
    public Mono<Map<Long, Integer>> appendMids(List<Long> mids, int op, byte[] msg) {
        if (!settings.enabled() || settings.user().ttl().isZero()) {
            return Mono.just(Map.of());
        }
        byte[] frame = Frames.encode(Frame.VERSION, op, 0, msg);
        return Mono.fromFuture(
                calls.commands("history_append", redis -> {
                    Map<Long, RedisFuture<Long>> all = new LinkedHashMap<>();
                    for (long mid : mids) {
                        if (mid > 0 && !all.containsKey(mid)) {
                            byte[][] keys = {key(USER_POSITION, Long.toString(mid)), key(USER_INBOX, Long.toString(mid))
                            };
                            all.put(
                                    mid,
                                    redis.eval(
                                            APPEND,
                                            ScriptOutputType.INTEGER,
                                            keys,
                                            ascii(epoch()),
                                            ascii(Integer.toString(
                                                    settings.user().size())),
                                            ascii(Long.toString(
                                                    settings.user().ttl().toMillis())),
                                            ascii(Long.toString(metaTtlMillis())),
                                            frame));
                        }
                    }
                    return CompletableFuture.allOf(all.values().stream()
                                    .map(RedisFuture::toCompletableFuture)
                                    .toArray(CompletableFuture[]::new))
                            .thenApply(done -> {
                                Map<Long, Integer> offsets = new LinkedHashMap<>();
                                all.forEach((mid, offset) -> offsets.put(
                                        mid, offset.toCompletableFuture().join().intValue()));
                                return offsets;
                            });
                }),
                true);
    }

    /** comet's recover (op 18): each stream asked about, its position, and what the client missed. */
    public CompletableFuture<RecoverReply> recover(RecoverReq request) {
        if (!settings.enabled()) {
            RecoverReply.Builder off = RecoverReply.newBuilder();
            StreamRecovery none = StreamRecovery.newBuilder().setEpoch("").build();
            if (request.getRoomAsked()) {
                off.setRoom(none);
            }
            if (request.getUserAsked()) {
                off.setUser(none);
            }
            return CompletableFuture.completedFuture(off.build());
        }
        boolean room = request.getRoomAsked() && !request.getRoom().isEmpty();
        boolean user = request.getUserAsked() && request.getMid() > 0;
        return calls.commands("history_recover", redis -> {
            CompletableFuture<StreamSnapshot> rooms = room
                    ? read(redis, ROOM_POSITION, ROOM_HISTORY, request.getRoom(), true)
                    : CompletableFuture.completedFuture(StreamSnapshot.NONE);
            CompletableFuture<StreamSnapshot> users = user
                    ? read(redis, USER_POSITION, USER_INBOX, Long.toString(request.getMid()), true)
                    : CompletableFuture.completedFuture(StreamSnapshot.NONE);
            return rooms.thenCombine(users, (r, u) -> {
                RecoverReply.Builder reply = RecoverReply.newBuilder();
                if (request.getRoomAsked()) {
                    reply.setRoom(proto(r.recover(request.getRoomEpoch(), request.getRoomOffset())));
                }
                if (request.getUserAsked()) {
                    reply.setUser(proto(u.recover(request.getUserEpoch(), request.getUserOffset())));
                }
                return reply.build();
            });
        });
    }

    /** {@code GET /goim/history/room}. */
    public Mono<HistoryPage> roomPage(String room, String epoch, long since, int limit) {
        return page(ROOM_POSITION, ROOM_HISTORY, room, epoch, since, limit);
    }

    /** {@code GET /goim/history/mid}. */
    public Mono<HistoryPage> midPage(long mid, String epoch, long since, int limit) {
        return page(USER_POSITION, USER_INBOX, Long.toString(mid), epoch, since, limit);
    }

    private Mono<HistoryPage> page(String meta, String list, String id, String epoch, long since, int limit) {
        if (!settings.enabled()) {
            return Mono.just(StreamSnapshot.NONE.page(epoch, since, limit));
        }
        return Mono.fromFuture(
                calls.commands(
                        "history_read",
                        redis -> read(redis, meta, list, id, false)
                                .thenApply(snapshot -> snapshot.page(epoch, since, limit))),
                true);
    }

    private CompletableFuture<StreamSnapshot> read(
            io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands<byte[], byte[]> redis,
            String meta,
            String list,
            String id,
            boolean create) {
        byte[][] keys = {key(meta, id), key(list, id)};
        RedisFuture<List<Object>> read = redis.eval(
                READ,
                ScriptOutputType.MULTI,
                keys,
                create ? ascii(epoch()) : new byte[0],
                ascii(Long.toString(metaTtlMillis())));
        return read.toCompletableFuture().thenApply(HistoryService::snapshot);
    }

    @SuppressWarnings("unchecked")
    private static StreamSnapshot snapshot(List<Object> reply) {
        String epoch = new String((byte[]) reply.get(0), StandardCharsets.UTF_8);
        long offset = (Long) reply.get(1);
        List<byte[]> frames = new ArrayList<>();
        for (Object frame : (List<Object>) reply.get(2)) {
            frames.add((byte[]) frame);
        }
        return new StreamSnapshot(epoch, offset, frames);
    }

    private static StreamRecovery proto(StreamSnapshot.Recovery recovery) {
        return StreamRecovery.newBuilder()
                .setRecovered(recovery.recovered())
                .setEpoch(recovery.epoch())
                .setOffset(recovery.offset())
                .setFrames(ByteString.copyFrom(recovery.frames()))
                .setCount(recovery.count())
                .build();
    }

    private long metaTtlMillis() {
        return Math.max(1, settings.metaTtl().toMillis());
    }

    private static String load(String name) {
        try (InputStream in = HistoryService.class.getResourceAsStream("/scripts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
