package io.goim.job.room;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goim.job.config.JobProperties;
import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The room numbering script against the real Redis on 127.0.0.1:6379 (docs/recovery.md): offsets
 * grow by one with no gap, a replayed Kafka record gets its first offset back and is not stored
 * again, the history keeps the last {@code size} frames with their offsets, the epoch changes when
 * the room's keys are gone, and a call that Redis starts past its deadline changes nothing. Every
 * room here is this test's own (a random id); its keys are deleted afterwards.
 */
class RoomHistoryIT {
    private static final int OP = 1000;

    private LettuceConnectionFactory factory;
    private StringRedisTemplate redis;
    private RoomHistory history;
    private JobProperties properties;
    private StaticListableBeanFactory beans;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> rooms = new ArrayList<>();

    @BeforeEach
    void start() {
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        factory.afterPropertiesSet();
        factory.start();
        redis = new StringRedisTemplate(factory);
        properties = new Binder(new MapConfigurationPropertySource(Map.of(
                        "goim.job.history.types.three.size", "3",
                        "goim.job.history.types.three.ttl", "1m",
                        "goim.job.history.types.off.size", "10",
                        "goim.job.history.types.off.ttl", "0s",
                        "goim.job.history.replay-window", "5")))
                .bindOrCreate("goim.job", Bindable.of(JobProperties.class));
        beans = new StaticListableBeanFactory();
        beans.addBean("redis", factory);
        history = new RoomHistory(properties, beans.getBeanProvider(RedisConnectionFactory.class), meters);
    }

    @AfterEach
    void stop() {
        for (String room : rooms) {
            redis.delete(List.of("goim_rs_{" + room + "}", "goim_rh_{" + room + "}", "goim_rk_{" + room + "}"));
        }
        history.destroy();
        factory.destroy();
    }

    @Test
    void numbersWithoutGapAndKeepsTheFramesWithTheirOffsets() throws Exception {
        String room = room("chat");
        assertThat(number(room, messages(0, 10, 11, 12))).containsExactly(1, 2, 3);
        assertThat(number(room, messages(0, 15, 20))).containsExactly(4, 5);

        List<Frame> kept = kept(room);
        assertThat(kept).extracting(Frame::seq).containsExactly(1, 2, 3, 4, 5);
        assertThat(kept)
                .extracting(f -> f.content().toString(UTF_8))
                .containsExactly("m10", "m11", "m12", "m15", "m20");
        assertThat(kept).extracting(Frame::op).containsOnly(OP);
        kept.forEach(Frame::release);
        assertThat(redis.<String, String>opsForHash().get("goim_rs_{" + room + "}", "o"))
                .isEqualTo("5");
    }

    @Test
    void aReplayedRecordGetsItsFirstOffsetAndIsNotStoredAgain() throws Exception {
        String room = room("chat");
        String epoch = epoch(room, messages(0, 100, 101, 102));
        assertThat(number(room, messages(0, 103))).containsExactly(4);
        // the next job replays from the last committed offset: 101..103 again, then new ones
        assertThat(number(room, messages(0, 101, 102, 103, 104, 105))).containsExactly(2, 3, 4, 5, 6);
        assertThat(number(room, messages(0, 102))).containsExactly(3);

        assertThat(kept(room))
                .extracting(f -> {
                    f.release();
                    return f.seq();
                })
                .containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(epoch(room, messages(0, 106))).isEqualTo(epoch);
    }

    @Test
    void aReplayOlderThanTheWindowIsDeliveredUnnumberedNeverWithANewOffset() throws Exception {
        String room = room("chat");
        assertThat(number(room, messages(0, 1, 2, 3, 4, 5, 6, 7))).containsExactly(1, 2, 3, 4, 5, 6, 7);
        // the window keeps 5 Kafka offsets: 3..7; 1 and 2 are forgotten but were numbered
        assertThat(number(room, messages(0, 1, 2, 3, 8))).containsExactly(0, 0, 3, 8);
    }

    @Test
    void anotherPartitionIsNotTakenForAReplay() throws Exception {
        String room = room("chat");
        assertThat(number(room, messages(0, 50, 51))).containsExactly(1, 2);
        // the topic's partitions changed and the room moved: its offsets go on
        assertThat(number(room, messages(3, 7))).containsExactly(3);
    }

    @Test
    void keepsTheLastSizeOfItsType() throws Exception {
        String room = room("three");
        assertThat(number(room, messages(0, 1, 2, 3, 4, 5))).containsExactly(1, 2, 3, 4, 5);
        assertThat(kept(room))
                .extracting(f -> {
                    f.release();
                    return f.seq();
                })
                .containsExactly(3, 4, 5);
        assertThat(redis.getExpire("goim_rh_{" + room + "}", TimeUnit.SECONDS)).isBetween(1L, 60L);
    }

    @Test
    void liveNumbersButKeepsNoneAndATypeWithoutTtlIsNotNumbered() throws Exception {
        String live = room("live");
        assertThat(history.numbered(live)).isTrue();
        assertThat(number(live, messages(0, 1, 2))).containsExactly(1, 2);
        assertThat(redis.hasKey("goim_rh_{" + live + "}")).isFalse();

        assertThat(history.numbered(room("off"))).isFalse();
    }

    @Test
    void warmUpRoomsAreNumberedAndForgottenWithinAMinuteLiveRoomsAfterMetaTtl() throws Exception {
        // logic's warm-up pushes run job's numbering; the warm-up's 500 rooms must not stay a day
        String warmup = room("goim-warmup");
        assertThat(history.numbered(warmup)).isTrue();
        assertThat(number(warmup, messages(0, 1, 2))).containsExactly(1, 2);
        assertThat(redis.hasKey("goim_rh_{" + warmup + "}")).isFalse();
        assertThat(redis.getExpire("goim_rs_{" + warmup + "}", TimeUnit.SECONDS))
                .isBetween(1L, 60L);
        assertThat(redis.getExpire("goim_rk_{" + warmup + "}", TimeUnit.SECONDS))
                .isBetween(1L, 60L);

        String live = room("live");
        assertThat(number(live, messages(0, 1))).containsExactly(1);
        assertThat(redis.getExpire("goim_rs_{" + live + "}", TimeUnit.SECONDS))
                .isBetween(
                        Duration.ofHours(23).toSeconds(), Duration.ofHours(24).toSeconds());
        assertThat(redis.getExpire("goim_rk_{" + live + "}", TimeUnit.SECONDS))
                .isBetween(
                        Duration.ofMinutes(9).toSeconds(),
                        Duration.ofMinutes(10).toSeconds());
    }

    @Test
    void aNewEpochOnceTheRoomsKeysAreGone() throws Exception {
        String room = room("chat");
        String first = epoch(room, messages(0, 1, 2));
        redis.delete(List.of("goim_rs_{" + room + "}", "goim_rh_{" + room + "}", "goim_rk_{" + room + "}"));
        String second = epoch(room, messages(0, 3));
        assertThat(second).isNotEqualTo(first);
        assertThat(number(room, messages(0, 4))).containsExactly(2);
    }

    @Test
    void aBatchRedisStartsPastItsDeadlineIsNeitherNumberedNorStored() throws Exception {
        String room = room("chat");
        assertThat(number(room, messages(0, 1, 2))).containsExactly(1, 2);

        // a deadline 5 s before the send: as if Redis had started the script 5 s late
        RoomHistory late = new RoomHistory(
                properties, beans.getBeanProvider(RedisConnectionFactory.class), meters, Duration.ofSeconds(-5));
        try {
            assertThatThrownBy(() -> late.number(room, messages(0, 3, 4)).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("after its deadline");
            assertThat(late.clockSamples()).isEqualTo(1);
        } finally {
            late.destroy();
        }

        // nothing of 3 and 4 was kept: not the frames, not the offset, not their Kafka offsets
        assertThat(redis.<String, String>opsForHash().get("goim_rs_{" + room + "}", "o"))
                .isEqualTo("2");
        assertThat(redis.<String, String>opsForHash().get("goim_rs_{" + room + "}", "k"))
                .isEqualTo("2");
        assertThat(kept(room))
                .extracting(f -> {
                    f.release();
                    return f.seq();
                })
                .containsExactly(1, 2);
        // the records, read again, are numbered as new ones, right after the last kept offset
        assertThat(number(room, messages(0, 3, 4))).containsExactly(3, 4);
    }

    private String room(String type) {
        String room = type + "://history-it-" + UUID.randomUUID();
        rooms.add(room);
        return room;
    }

    private static List<RoomMessage> messages(int partition, long... kafkaOffsets) {
        List<RoomMessage> messages = new ArrayList<>();
        for (long offset : kafkaOffsets) {
            messages.add(new RoomMessage(OP, ("m" + offset).getBytes(UTF_8), partition, offset));
        }
        return messages;
    }

    private int[] number(String room, List<RoomMessage> messages) throws Exception {
        return history.number(room, messages).get(5, TimeUnit.SECONDS);
    }

    private String epoch(String room, List<RoomMessage> messages) throws Exception {
        number(room, messages);
        return (String) redis.opsForHash().get("goim_rs_{" + room + "}", "e");
    }

    private List<Frame> kept(String room) {
        List<Frame> frames = new ArrayList<>();
        factory.getConnection()
                .listCommands()
                .lRange(("goim_rh_{" + room + "}").getBytes(UTF_8), 0, -1)
                .forEach(bytes -> frames.addAll(Frames.decodeAll(bytes)));
        return frames;
    }
}
