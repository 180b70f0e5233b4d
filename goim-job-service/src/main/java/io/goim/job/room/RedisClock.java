package io.goim.job.room;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What job knows of Redis's clock, to give each numbering script a deadline in Redis's own time
 * (docs/recovery.md, "Redis frozen"): job's clock and Redis's need not agree, only the offset
 * between them is learnt, from Redis's {@code TIME}.
 *
 * <p>A sample is one {@code TIME} round trip: Redis read its clock at some moment between {@code
 * sent} and {@code received} (job's {@link System#nanoTime}, which no wall-clock step moves). The
 * offset kept is the midpoint's minus half the round trip, {@code redis - received}: the smallest
 * offset the sample allows, so a deadline made from it is never later in Redis's time than the
 * moment job meant, only earlier by at most the round trip. A sample whose round trip is longer
 * than {@code maxRoundTrip} is not taken.
 *
 * <p>A sample belongs to one connection: a reconnect (possibly to another Redis, on another host)
 * makes the clock unknown until a sample taken after it arrives. {@link #reconnected} is called
 * from Lettuce's event loop and takes no lock; the rest is called under the owner's monitor
 * (RoomHistory) or the clock's own.
 */
final class RedisClock {
    /** How often a known offset is measured again: clocks drift, and Redis's may be stepped. */
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final long maxRoundTrip;
    private final AtomicInteger connection = new AtomicInteger();
    private boolean known;
    private int sampledConnection;
    /** Redis's time (epoch nanos) minus job's nanoTime, the lower bound of the last sample. */
    private long offset;

    private long sampledAt;
    private boolean expired;
    private long samples;

    RedisClock(long maxRoundTripNanos) {
        this.maxRoundTrip = maxRoundTripNanos;
    }

    /** The connection a sample requested now belongs to. */
    int connection() {
        return connection.get();
    }

    /** The connection to Redis went down or came up: the offset known so far may be another Redis's. */
    void reconnected() {
        connection.incrementAndGet();
    }

    /** Whether a deadline can be made: a sample of the current connection was taken. */
    synchronized boolean known() {
        return known && sampledConnection == connection.get();
    }

    /** Whether a new sample should be asked for: none known, the last is old, or it looks wrong. */
    synchronized boolean due(long now) {
        return !known() || expired || now - sampledAt >= REFRESH_NANOS;
    }

    /**
     * Redis ran a script past a deadline made from this clock although job still waited for it: the
     * offset may be wrong (Redis's clock stepped ahead). Still used, but measured again soon.
     */
    synchronized void expire() {
        expired = true;
    }

    /**
     * One {@code TIME} answer, asked for on {@code connection} at job's {@code sent} and received at
     * {@code received}; {@code redisMicros} is Redis's time in microseconds since the epoch. Returns
     * whether it was taken (not when the connection changed meanwhile, or the round trip was too long).
     */
    synchronized boolean sample(int connection, long sent, long received, long redisMicros) {
        if (connection != this.connection.get() || received - sent > maxRoundTrip || received < sent) {
            return false;
        }
        offset = redisMicros * 1_000L - received;
        sampledAt = received;
        sampledConnection = connection;
        known = true;
        expired = false;
        samples++;
        return true;
    }

    /** The samples taken so far. */
    synchronized long samples() {
        return samples;
    }

    /**
     * The deadline, in Redis's time (milliseconds since the epoch, rounded down), that corresponds to
     * job's {@code now} plus {@code budget} nanos. Only when {@link #known}.
     */
    synchronized long deadline(long now, long budget) {
        return Math.floorDiv(now + budget + offset, NANOS_PER_MILLI);
    }
}
