package io.goim.job.room;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;

/**
 * Merges the messages of each room into batches (contract section 7), past goim in one respect.
 *
 * <p>goim flushes a room at {@code batch} messages or {@code signal} after the first waiting one, so
 * every room message waits up to a second, even in a room that gets one push a second (contract
 * section 8). Here a message leaves at once when its room is quiet: nothing arrived for the room
 * within the last {@code signal}, or the room is due, its last flush {@code signal} ago. Otherwise
 * it waits for the room to be due, which is never later than goim's "signal after the first waiting
 * one", or leaves at once when {@code batch} messages wait. A room under steady load thus still
 * leaves at most one batch per {@code signal}, as in goim.
 *
 * <p>Pushes that come once a {@code signal} do not come exactly a {@code signal} apart: the hops
 * before job (HTTP, logic, Kafka) add a few milliseconds here and there. So a room is due a tenth
 * of a {@code signal} early, and a room that flushed within that tenth keeps its schedule (the next
 * flush is due one {@code signal} after the one it was due for, not after the early one): jitter
 * neither holds a message nor lets a busy room's flushes creep ahead of one per {@code signal}.
 * A room with nothing for {@code idle} is forgotten.
 *
 * <p>Order: batches of a room leave in the order of its messages, and inside a batch the inner frames
 * follow that order. Thread-safe: every method and every timer task holds the merger's monitor, and
 * the sink is called under it, so a room's batches reach the sink in order whichever thread adds
 * (the Kafka listener's) or flushes (the scheduler's). Time comes from {@link Scheduler#now}, so
 * tests drive a virtual-time scheduler and need no real waiting.
 */
final class RoomMerger<T> {
    private final int batch;
    private final long signal;
    /** How early a room is due: the jitter of pushes that come once a signal. */
    private final long early;

    private final long idle;
    private final Scheduler scheduler;
    private final Consumer<RoomBatch<T>> sink;
    private final Map<String, RoomBuffer<T>> rooms = new HashMap<>();

    RoomMerger(int batch, Duration signal, Duration idle, Scheduler scheduler, Consumer<RoomBatch<T>> sink) {
        this.batch = batch;
        this.signal = signal.toNanos();
        this.early = this.signal / 10;
        this.idle = idle.toNanos();
        this.scheduler = scheduler;
        this.sink = sink;
    }

    /** Adds one message of {@code room}; {@code ticket} comes back in the batch that carries it. */
    void add(String room, int op, byte[] msg, T ticket) {
        add(room, RoomMessage.of(op, msg), ticket);
    }

    /** Adds one message of {@code room}; {@code ticket} comes back in the batch that carries it. */
    synchronized void add(String room, RoomMessage message, T ticket) {
        long now = now();
        RoomBuffer<T> buffer = rooms.get(room);
        if (buffer == null) {
            buffer = new RoomBuffer<>(room, now - signal);
            rooms.put(room, buffer);
            scheduleIdleCheck(buffer, idle);
        }
        boolean quiet = buffer.size() == 0 && (now - buffer.lastMessage >= signal || now >= buffer.due - early);
        buffer.lastMessage = now;
        buffer.add(message, ticket);
        if (quiet || buffer.size() >= batch) {
            flush(buffer, now);
        } else if (buffer.signal == null) {
            // clamped: a wall clock that stepped back must not hold a room for longer than signal
            long delay = Math.clamp(buffer.due - early - now, 0, signal);
            RoomBuffer<T> waiting = buffer;
            buffer.signal = scheduler.schedule(() -> onSignal(waiting), delay, NANOSECONDS);
        }
    }

    /** Rooms known now (not yet forgotten for being idle). */
    synchronized int rooms() {
        return rooms.size();
    }

    private synchronized void onSignal(RoomBuffer<T> buffer) {
        buffer.signal = null;
        if (buffer.size() > 0) {
            flush(buffer, now());
        }
    }

    private void flush(RoomBuffer<T> buffer, long now) {
        if (buffer.signal != null) {
            buffer.signal.dispose();
            buffer.signal = null;
        }
        boolean onSchedule = now >= buffer.due - early && now < buffer.due;
        buffer.due = onSchedule ? buffer.due + signal : now + signal;
        sink.accept(buffer.drain());
    }

    /** goim forgets a room idle for {@code idle}; one timer per room, re-armed only when it fires. */
    private void scheduleIdleCheck(RoomBuffer<T> buffer, long delay) {
        scheduler.schedule(() -> onIdleCheck(buffer), delay, NANOSECONDS);
    }

    private synchronized void onIdleCheck(RoomBuffer<T> buffer) {
        long quietFor = now() - buffer.lastMessage;
        if (buffer.size() == 0 && quietFor >= idle) {
            rooms.remove(buffer.room, buffer);
        } else {
            scheduleIdleCheck(buffer, Math.max(idle - quietFor, signal));
        }
    }

    private long now() {
        return scheduler.now(NANOSECONDS);
    }
}
