package io.goim.job.room;

import static io.goim.proto.contract.HistoryKeys.ROOM_HISTORY;
import static io.goim.proto.contract.HistoryKeys.ROOM_POSITION;
import static io.goim.proto.contract.HistoryKeys.ROOM_REPLAYS;
import static io.goim.proto.contract.HistoryKeys.ascii;
import static io.goim.proto.contract.HistoryKeys.epoch;
import static io.goim.proto.contract.HistoryKeys.key;

import io.goim.job.config.JobProperties;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Numbers room messages and keeps the last ones in Redis (issue 15, docs/recovery.md): one script
 * call per batch ({@code scripts/room-number.lua}), atomic, idempotent for a replayed Kafka record.
 *
 * <p>Order: every call goes down the one Lettuce connection that Spring's factory shares (for a
 * Redis Cluster, the one connection to the room's node), whose replies complete in the order the
 * calls were made, on Lettuce's event loop. So a room's batches, numbered in the merger's order,
 * also leave the completion in that order, and the caller hands them on from there.
 */
@Component
public final class RoomHistory implements DisposableBean {
    private static final String SCRIPT = load();
    private static final long RETRY_OPEN_NANOS = 5_000_000_000L;

    private final JobProperties.History settings;
    private final ObjectProvider<RedisConnectionFactory> factory;
    private final Counter replaysKnown;
    private final Counter replaysForgotten;
    private RedisConnection connection;
    private RedisClusterAsyncCommands<byte[], byte[]> commands;
    /** When opening the connection last failed (nanoTime): a Redis that is down costs no wait per batch. */
    private long failedAt;

    private boolean failedRecently;

    RoomHistory(JobProperties properties, ObjectProvider<RedisConnectionFactory> factory, MeterRegistry meters) {
        this.settings = properties.history();
        this.factory = factory;
        this.replaysKnown = Counter.builder("goim.job.history.replays")
                .description("replayed room records given the offset they had before")
                .tag("known", "true")
                .register(meters);
        this.replaysForgotten = Counter.builder("goim.job.history.replays")
                .description("replayed room records given the offset they had before")
                .tag("known", "false")
                .register(meters);
    }

    /** Whether {@code room}'s messages are numbered; when not, {@link #number} is never needed. */
    public boolean numbered(String room) {
        return settings.enabled() && settings.of(room).numbered();
    }

    /**
     * The offsets of {@code messages} (all of {@code room}, in order), index for index; 0 for a
     * replayed record whose offset is forgotten. Completes on Lettuce's event loop, in call order.
     */
    public CompletableFuture<int[]> number(String room, List<RoomMessage> messages) {
        JobProperties.Stream stream = settings.of(room);
        byte[][] keys = {key(ROOM_POSITION, room), key(ROOM_HISTORY, room), key(ROOM_REPLAYS, room)};
        byte[][] args = new byte[7 + 2 * messages.size()][];
        args[0] = ascii(epoch());
        args[1] = ascii(Integer.toString(stream.size()));
        args[2] = ascii(Long.toString(Math.max(1, stream.ttl().toMillis())));
        args[3] = ascii(Long.toString(Math.max(1, settings.metaTtl().toMillis())));
        args[4] = ascii(Integer.toString(settings.replayWindow()));
        args[5] = ascii(Long.toString(Math.max(1, settings.replayTtl().toMillis())));
        args[6] = ascii(Integer.toString(messages.getFirst().partition()));
        for (int i = 0; i < messages.size(); i++) {
            RoomMessage message = messages.get(i);
            args[7 + 2 * i] = ascii(Long.toString(message.kafkaOffset()));
            args[8 + 2 * i] =
                    stream.size() > 0 ? Frames.encode(Frame.VERSION, message.op(), 0, message.body()) : new byte[0];
        }
        CompletableFuture<int[]> numbered = new CompletableFuture<>();
        try {
            commands()
                    .<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args)
                    .whenComplete((reply, error) -> {
                        if (error != null) {
                            numbered.completeExceptionally(error);
                        } else {
                            numbered.complete(seqs(reply, messages.size()));
                        }
                    });
        } catch (RuntimeException e) {
            numbered.completeExceptionally(e);
        }
        return numbered;
    }

    private int[] seqs(List<Object> reply, int count) {
        int[] seqs = new int[count];
        for (int i = 0; i < count; i++) {
            long n = (Long) reply.get(i + 1);
            if (n < 0) {
                replaysKnown.increment();
            } else if (n == 0) {
                replaysForgotten.increment();
            }
            seqs[i] = (int) Math.abs(n);
        }
        return seqs;
    }

    /** Opened on the first numbered batch; job without history never connects to Redis. */
    private synchronized RedisClusterAsyncCommands<byte[], byte[]> commands() {
        if (commands == null) {
            if (failedRecently && System.nanoTime() - failedAt < RETRY_OPEN_NANOS) {
                throw new IllegalStateException("redis unreachable, retried in a few seconds");
            }
            RedisConnection opened;
            try {
                opened = factory.getObject().getConnection();
            } catch (RuntimeException e) {
                failedRecently = true;
                failedAt = System.nanoTime();
                throw e;
            }
            failedRecently = false;
            @SuppressWarnings("unchecked")
            RedisClusterAsyncCommands<byte[], byte[]> async =
                    (RedisClusterAsyncCommands<byte[], byte[]>) opened.getNativeConnection();
            connection = opened;
            commands = async;
        }
        return commands;
    }

    private static String load() {
        try (InputStream in = RoomHistory.class.getResourceAsStream("/scripts/room-number.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void destroy() {
        if (connection != null) {
            connection.close();
        }
    }
}
