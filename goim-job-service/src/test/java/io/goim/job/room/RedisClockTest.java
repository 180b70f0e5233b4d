package io.goim.job.room;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The offset between job's clock and Redis's, learnt from TIME round trips: plain numbers, no
 * Redis. Job's clock here starts anywhere (nanoTime has no epoch); Redis's is in microseconds since
 * the epoch.
 */
class RedisClockTest {
    private static final long MS = 1_000_000L;
    private static final long MAX_ROUND_TRIP = 500 * MS;
    /** job's nanoTime when Redis's clock read 2026-12-03T14:00:00Z, in the examples below. */
    private static final long JOB_AT = 7_000 * MS;

    private static final long REDIS_AT_MICROS = 1_796_306_400_000_000L;

    private final RedisClock clock = new RedisClock(MAX_ROUND_TRIP);

    @Test
    void unknownAndDueUntilTheFirstSample() {
        assertThat(clock.known()).isFalse();
        assertThat(clock.due(JOB_AT)).isTrue();

        assertThat(clock.sample(clock.connection(), JOB_AT - 2 * MS, JOB_AT + 2 * MS, REDIS_AT_MICROS))
                .isTrue();
        assertThat(clock.known()).isTrue();
        assertThat(clock.due(JOB_AT + 2 * MS)).isFalse();
    }

    @Test
    void theDeadlineIsInRedisTimeAndNeverLaterThanTheSampleAllows() {
        // Redis read 14:00:00.000 somewhere within job's [JOB_AT - 2 ms, JOB_AT + 2 ms]: the midpoint
        // says JOB_AT; the deadline takes the latest moment, JOB_AT + 2 ms, i.e. 2 ms early at worst
        clock.sample(clock.connection(), JOB_AT - 2 * MS, JOB_AT + 2 * MS, REDIS_AT_MICROS);

        long budget = 1_000 * MS;
        long redisAtMillis = REDIS_AT_MICROS / 1_000;
        assertThat(clock.deadline(JOB_AT + 2 * MS, budget)).isEqualTo(redisAtMillis + 1_000);
        assertThat(clock.deadline(JOB_AT + 10_002 * MS, budget)).isEqualTo(redisAtMillis + 11_000);
        // job's clock and Redis's disagree by any amount: only the offset counts
        RedisClock other = new RedisClock(MAX_ROUND_TRIP);
        other.sample(other.connection(), -5 * MS, -1 * MS, REDIS_AT_MICROS);
        assertThat(other.deadline(-1 * MS, budget)).isEqualTo(redisAtMillis + 1_000);
    }

    @Test
    void aRoundTripLongerThanTheLimitIsNotTaken() {
        assertThat(clock.sample(clock.connection(), JOB_AT, JOB_AT + MAX_ROUND_TRIP + 1, REDIS_AT_MICROS))
                .isFalse();
        assertThat(clock.known()).isFalse();
        assertThat(clock.samples()).isZero();
        assertThat(clock.sample(clock.connection(), JOB_AT, JOB_AT + MAX_ROUND_TRIP, REDIS_AT_MICROS))
                .isTrue();
        assertThat(clock.samples()).isEqualTo(1);
    }

    @Test
    void measuredAgainEveryMinuteAndSoonerWhenRedisRanAScriptLate() {
        clock.sample(clock.connection(), JOB_AT, JOB_AT, REDIS_AT_MICROS);
        assertThat(clock.due(JOB_AT + RedisClock.REFRESH_NANOS - 1)).isFalse();
        assertThat(clock.due(JOB_AT + RedisClock.REFRESH_NANOS)).isTrue();
        // still usable while it is measured again
        assertThat(clock.known()).isTrue();

        clock.sample(
                clock.connection(),
                JOB_AT + RedisClock.REFRESH_NANOS,
                JOB_AT + RedisClock.REFRESH_NANOS,
                REDIS_AT_MICROS + RedisClock.REFRESH_NANOS / 1_000);
        clock.expire();
        assertThat(clock.due(JOB_AT + RedisClock.REFRESH_NANOS + 1)).isTrue();
        assertThat(clock.known()).isTrue();
    }

    @Test
    void aReconnectForgetsTheOffsetAndAnAnswerAskedBeforeItIsNotTaken() {
        int before = clock.connection();
        clock.sample(before, JOB_AT, JOB_AT, REDIS_AT_MICROS);

        clock.reconnected();
        assertThat(clock.known()).isFalse();
        assertThat(clock.due(JOB_AT)).isTrue();
        // a TIME sent before the reconnect may have been answered by the Redis before it
        assertThat(clock.sample(before, JOB_AT + MS, JOB_AT + 2 * MS, REDIS_AT_MICROS + 1_000))
                .isFalse();
        assertThat(clock.known()).isFalse();

        assertThat(clock.sample(clock.connection(), JOB_AT + 3 * MS, JOB_AT + 4 * MS, REDIS_AT_MICROS + 9_000_000))
                .isTrue();
        assertThat(clock.deadline(JOB_AT + 4 * MS, 0)).isEqualTo(REDIS_AT_MICROS / 1_000 + 9_000);
    }
}
