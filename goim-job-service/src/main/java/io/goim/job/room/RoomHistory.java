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
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Numbers room messages and keeps the last ones in Redis (issue 15, docs/recovery.md): one script
 * call per batch ({@code scripts/room-number.lua}), atomic, idempotent for a replayed Kafka record.
 *
 * <p>Order: every call goes down the one Lettuce connection that Spring's factory shares (for a
 * Redis Cluster, the one connection to the room's node), whose replies complete in the order the
 * calls were made, on Lettuce's event loop. So a room's batches, numbered in the merger's order,
 * also leave the completion in that order, and the caller hands them on from there.
 *
 * <p>Deadline: job gives up on a call after the Redis command timeout and delivers the batch
 * unnumbered, but a Redis that was frozen or slow still runs the call later. So each call carries a
 * deadline in Redis's own clock, half the command timeout after job sent it, and the script stores
 * and numbers nothing when Redis starts it later than that (docs/recovery.md, failure cases). The
 * other half is the margin for the clock's uncertainty and for the reply's way back. The deadline
 * is made with a {@link RedisClock}, measured with {@code TIME} on the connection: on its first use,
 * every minute, and after each reconnect. Batches that come while no offset is known wait (in order,
 * in {@link #waiting}) for the {@code TIME} answer, and are delivered unnumbered if it fails.
 */
@Component
public final class RoomHistory implements DisposableBean {
    private static final String SCRIPT = load();
    private static final long RETRY_OPEN_NANOS = 5_000_000_000L;
    /** The script's arguments (0-based here, ARGV[i + 1] in Lua): the deadline, then the messages. */
    private static final int DEADLINE = 7;

    private static final int FIRST_MESSAGE = 8;

    private final JobProperties.History settings;
    private final ObjectProvider<RedisConnectionFactory> factory;
    /** The deadline's distance from the send, in place of half the command timeout (tests); or null. */
    private final Duration budgetOverride;

    private final Counter replaysKnown;
    private final Counter replaysForgotten;
    private RedisConnection connection;
    private RedisClusterAsyncCommands<byte[], byte[]> commands;
    /** When opening the connection last failed (nanoTime): a Redis that is down costs no wait per batch. */
    private long failedAt;

    private boolean failedRecently;
    /** Set with the connection: Redis's clock, and how far after the send a script's deadline lies. */
    private RedisClock clock;

    private long budget;
    /** A TIME is on its way; while the clock is unknown, batches wait here for its answer, in order. */
    private boolean timing;

    private final ArrayDeque<Numbering> waiting = new ArrayDeque<>();

    @Autowired
    RoomHistory(JobProperties properties, ObjectProvider<RedisConnectionFactory> factory, MeterRegistry meters) {
        this(properties, factory, meters, null);
    }

    RoomHistory(
            JobProperties properties,
            ObjectProvider<RedisConnectionFactory> factory,
            MeterRegistry meters,
            Duration budgetOverride) {
        this.settings = properties.history();
        this.factory = factory;
        this.budgetOverride = budgetOverride;
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
     * replayed record whose offset is forgotten. Completes in call order, on Lettuce's event loop (or,
     * for batches that waited for a clock that could not be learnt, on the thread that gave up on it,
     * before any later batch could be numbered: that one needs another TIME round trip first);
     * exceptionally when Redis failed, or ran the script past its deadline (nothing numbered or stored).
     */
    public CompletableFuture<int[]> number(String room, List<RoomMessage> messages) {
        JobProperties.Stream stream = settings.of(room);
        byte[][] keys = {key(ROOM_POSITION, room), key(ROOM_HISTORY, room), key(ROOM_REPLAYS, room)};
        byte[][] args = new byte[FIRST_MESSAGE + 2 * messages.size()][];
        args[0] = ascii(epoch());
        args[1] = ascii(Integer.toString(stream.size()));
        args[2] = ascii(Long.toString(Math.max(1, stream.ttl().toMillis())));
        args[3] = ascii(Long.toString(Math.max(1, settings.metaTtl(stream).toMillis())));
        args[4] = ascii(Integer.toString(settings.replayWindow()));
        args[5] = ascii(Long.toString(Math.max(1, settings.replayTtl(stream).toMillis())));
        args[6] = ascii(Integer.toString(messages.getFirst().partition()));
        // args[DEADLINE] is set when the call is sent
        for (int i = 0; i < messages.size(); i++) {
            RoomMessage message = messages.get(i);
            args[FIRST_MESSAGE + 2 * i] = ascii(Long.toString(message.kafkaOffset()));
            args[FIRST_MESSAGE + 1 + 2 * i] =
                    stream.size() > 0 ? Frames.encode(Frame.VERSION, message.op(), 0, message.body()) : new byte[0];
        }
        Numbering numbering = new Numbering(keys, args, messages.size(), new CompletableFuture<>());
        try {
            synchronized (this) {
                RedisClusterAsyncCommands<byte[], byte[]> redis = commands();
                if (!timing && clock.due(System.nanoTime())) {
                    askTime(redis);
                }
                if (clock.known() && waiting.isEmpty()) {
                    send(redis, numbering);
                } else if (timing) {
                    waiting.add(numbering);
                } else {
                    throw new IllegalStateException("redis clock unknown");
                }
            }
        } catch (RuntimeException e) {
            numbering.numbered().completeExceptionally(e);
        }
        return numbering.numbered();
    }

    /** The clock samples taken so far (tests: one after each reconnect). */
    synchronized long clockSamples() {
        return clock == null ? 0 : clock.samples();
    }

    /** Under the monitor; the call order on the connection is the order of the batches. */
    private void send(RedisClusterAsyncCommands<byte[], byte[]> redis, Numbering numbering) {
        numbering.args()[DEADLINE] = ascii(Long.toString(clock.deadline(System.nanoTime(), budget)));
        CompletableFuture<int[]> numbered = numbering.numbered();
        redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, numbering.keys(), numbering.args())
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        numbered.completeExceptionally(error);
                    } else if (reply == null || reply.isEmpty()) {
                        // Redis started the script after its deadline although job still waited: Redis
                        // is slow, or its clock moved; measure it again soon
                        clock.expire();
                        numbered.completeExceptionally(
                                new IllegalStateException("redis started the numbering after its deadline"));
                    } else {
                        try {
                            numbered.complete(seqs(reply, numbering.count()));
                        } catch (RuntimeException e) {
                            numbered.completeExceptionally(e);
                        }
                    }
                });
    }

    /** Under the monitor. */
    private void askTime(RedisClusterAsyncCommands<byte[], byte[]> redis) {
        int on = clock.connection();
        long sent = System.nanoTime();
        redis.time().whenComplete((reply, error) -> {
            long received = System.nanoTime();
            boolean taken = false;
            boolean answered = error == null && reply != null && reply.size() == 2;
            try {
                taken = answered && clock.sample(on, sent, received, micros(reply));
            } catch (RuntimeException e) {
                answered = false;
            }
            boolean askAgain = answered && !taken && on != clock.connection();
            // off Lettuce's event loop: a call written from it would go out at once, ahead of calls
            // other threads made before and that wait in its task queue. A thread of its own, not a
            // shared pool that other work could hold up: this happens once a minute or per reconnect.
            // (An answer that came before whenComplete was called runs this on the caller's thread.)
            Thread.ofVirtual().name("goim-room-clock").start(() -> timed(askAgain));
        });
        timing = true;
    }

    /** After a TIME answer (or failure): send the batches that waited for it, or fail them in order. */
    private void timed(boolean askAgain) {
        List<Numbering> failed = new ArrayList<>();
        synchronized (this) {
            timing = false;
            if (waiting.isEmpty()) {
                return;
            }
            try {
                if (clock.known()) {
                    while (!waiting.isEmpty()) {
                        send(commands, waiting.peek());
                        waiting.poll();
                    }
                } else if (askAgain) {
                    // the connection changed while TIME was on its way: ask the Redis it goes to now
                    askTime(commands);
                } else {
                    failed.addAll(waiting);
                    waiting.clear();
                }
            } catch (RuntimeException e) {
                failed.addAll(waiting);
                waiting.clear();
            }
        }
        if (!failed.isEmpty()) {
            RuntimeException unknown = new IllegalStateException("redis clock unknown: no TIME answer to trust");
            failed.forEach(numbering -> numbering.numbered().completeExceptionally(unknown));
        }
    }

    private static long micros(List<byte[]> time) {
        long seconds = Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII));
        long micros = Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII));
        return seconds * 1_000_000L + micros;
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

    /** Opened on the first numbered batch, under the monitor; job without history never connects to Redis. */
    private RedisClusterAsyncCommands<byte[], byte[]> commands() {
        if (commands == null) {
            if (failedRecently && System.nanoTime() - failedAt < RETRY_OPEN_NANOS) {
                throw new IllegalStateException("redis unreachable, retried in a few seconds");
            }
            RedisConnectionFactory redis = factory.getObject();
            RedisConnection opened;
            try {
                opened = redis.getConnection();
            } catch (RuntimeException e) {
                failedRecently = true;
                failedAt = System.nanoTime();
                throw e;
            }
            failedRecently = false;
            @SuppressWarnings("unchecked")
            RedisClusterAsyncCommands<byte[], byte[]> async =
                    (RedisClusterAsyncCommands<byte[], byte[]>) opened.getNativeConnection();
            Duration timeout = redis instanceof LettuceConnectionFactory lettuce
                    ? lettuce.getClientConfiguration().getCommandTimeout()
                    : RedisURI.DEFAULT_TIMEOUT_DURATION;
            budget = budgetOverride != null ? budgetOverride.toNanos() : timeout.toNanos() / 2;
            // a sample whose round trip took a quarter of the timeout would cost the deadline up to
            // half of its margin: Redis is too slow then to measure it well
            clock = new RedisClock(timeout.toNanos() / 4);
            if (redis instanceof LettuceConnectionFactory lettuce) {
                lettuce.getRequiredNativeClient().addListener(new Reconnects(clock));
            }
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
    public void destroy() {
        List<Numbering> failed;
        synchronized (this) {
            failed = new ArrayList<>(waiting);
            waiting.clear();
            if (connection != null) {
                connection.close();
            }
        }
        RuntimeException closed = new IllegalStateException("room history closed");
        failed.forEach(numbering -> numbering.numbered().completeExceptionally(closed));
    }

    /** One batch's script call: its arguments (the deadline set when sent) and its answer. */
    private record Numbering(byte[][] keys, byte[][] args, int count, CompletableFuture<int[]> numbered) {}

    /**
     * Lettuce reconnects by itself, possibly to another Redis (a restart, a fail-over): the clock
     * learnt on the connection before is not trusted after. Called on Lettuce's event loop for every
     * connection of the factory's client, which only costs a TIME round trip when it is another one.
     */
    private record Reconnects(RedisClock clock) implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            clock.reconnected();
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            clock.reconnected();
        }

        @Override
        public void onRedisExceptionCaught(RedisChannelHandler<?, ?> connection, Throwable cause) {
            // the connection's own handlers deal with it
        }
    }
}
