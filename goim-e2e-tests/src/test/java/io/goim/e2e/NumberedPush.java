package io.goim.e2e;

import io.goim.proto.frame.Op;
import io.goim.proto.testclient.Received;
import io.goim.proto.testclient.WebSocketClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * A steady, numbered pusher and what its listeners received (issue 13's faults). Message {@code n}
 * has the body {@code <run>-n}; even numbers go to a room, odd ones to a user by mid, each push to
 * the next logic in turn. A push counts as sent when the push API answered code 0. Each listener
 * records when each number first reached it and how often; {@link #report} sums them up.
 */
final class NumberedPush {
    /** One client and what reached it: number to first arrival (ns), and the number of arrivals. */
    static final class Listener {
        final String name;
        final boolean room;
        volatile WebSocketClient client;
        final Map<Integer, Long> firstAt = new ConcurrentHashMap<>();
        final Map<Integer, Integer> count = new ConcurrentHashMap<>();
        /** Times (ns) it was not connected, {from, to}: what was sent meanwhile is not expected. */
        final List<long[]> gaps = new java.util.concurrent.CopyOnWriteArrayList<>();

        Listener(String name, boolean room, WebSocketClient client) {
            this.name = name;
            this.room = room;
            this.client = client;
        }
    }

    /** The figures of one run. */
    record Report(
            String fault,
            int sent,
            int refused,
            long expected,
            long delivered,
            long lost,
            long duplicated,
            long maxDelayMs,
            List<Integer> lostNumbers) {
        @Override
        public String toString() {
            return "fault=" + fault + " sent=" + sent + " refused=" + refused + " expected=" + expected
                    + " delivered=" + delivered + " lost=" + lost + " duplicated=" + duplicated
                    + " max_delay_ms=" + maxDelayMs + " lost_numbers="
                    + lostNumbers.stream().limit(20).toList();
        }
    }

    private final String run;
    private final List<Listener> listeners = new ArrayList<>();
    /** One call of the push API: when it was made (ns), how long the answer took (ms), the answer. */
    record Attempt(int n, long at, long ms, String reply) {
        boolean accepted() {
            return reply.contains("\"code\":0");
        }
    }

    private final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
    private final List<Attempt> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    private boolean concurrent;
    private final List<Thread> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** How long a reader waits on its client before it looks again whether it was replaced or stopped. */
    private static final java.time.Duration READ_WAIT = java.time.Duration.ofMillis(20);

    NumberedPush(String run) {
        this.run = run;
    }

    /**
     * Each push on a thread of its own at its time, instead of one after the other: while Redis or
     * Kafka is down a call takes logic's whole timeout, and the pushes due meanwhile still go out on
     * time (at most rate × the timeout calls at once).
     */
    NumberedPush concurrent() {
        concurrent = true;
        return this;
    }

    List<Attempt> attempts() {
        return attempts;
    }

    Listener listen(String name, boolean room, WebSocketClient client) {
        Listener listener = new Listener(name, room, client);
        listeners.add(listener);
        return listener;
    }

    /**
     * Reads each listener's frames on a thread of its own, blocking on its client (the one it has
     * now: a reconnect replaces it), until {@link #stopReading}.
     */
    void startReading() {
        for (Listener listener : listeners) {
            readers.add(Thread.ofVirtual()
                    .name("numbered-push-" + listener.name)
                    .start(() -> {
                        try {
                            while (reading.get()) {
                                Received frame = listener.client.poll(READ_WAIT);
                                if (frame != null) {
                                    take(listener, frame);
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
        }
    }

    private void take(Listener listener, Received frame) {
        long now = System.nanoTime();
        if (frame.op() != Op.RAW) {
            return;
        }
        for (Received inner : frame.inner()) {
            String text = inner.text();
            if (text.startsWith(run + "-")) {
                int n = Integer.parseInt(text.substring(run.length() + 1));
                listener.firstAt.putIfAbsent(n, now);
                listener.count.merge(n, 1, Integer::sum);
            }
        }
    }

    void stopReading() throws InterruptedException {
        reading.set(false);
        for (Thread reader : readers) {
            reader.join(5_000);
        }
    }

    /**
     * Sends {@code count} numbered pushes at {@code perSecond}; {@code logicPort} gives the logic
     * for message n. {@code during} runs before message n is sent (the fault's schedule).
     */
    void push(int count, int perSecond, IntFunction<Integer> logicPort, String room, long mid, IntConsumerEx during)
            throws Exception {
        long period = 1_000_000_000L / perSecond;
        long start = System.nanoTime();
        List<Thread> calls = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            during.accept(n);
            long due = start + n * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String path = n % 2 == 0
                    ? "/goim/push/room?operation=1000&type=live&room=" + room
                    : "/goim/push/mids?operation=1000&mids=" + mid;
            int number = n;
            int port = logicPort.apply(n);
            if (concurrent) {
                calls.add(Thread.ofVirtual().start(() -> send(port, path, number)));
            } else {
                send(port, path, number);
            }
        }
        for (Thread call : calls) {
            call.join(30_000);
        }
    }

    private void send(int port, String path, int n) {
        long at = System.nanoTime();
        String reply = Cluster.post(port, path, run + "-" + n);
        Attempt attempt = new Attempt(n, at, (System.nanoTime() - at) / 1_000_000, reply);
        attempts.add(attempt);
        if (attempt.accepted()) {
            sentAt.put(n, at);
        } else {
            refused.incrementAndGet();
        }
    }

    /** The fault's action before message n, if any. */
    @FunctionalInterface
    interface IntConsumerEx {
        void accept(int n) throws Exception;
    }

    /** Every listener has every sent message meant for it. */
    boolean allArrived() {
        return missing() == 0;
    }

    private boolean meantFor(Listener listener, int n, long at) {
        if ((n % 2 == 0) != listener.room) {
            return false;
        }
        for (long[] gap : listener.gaps) {
            if (at >= gap[0] && at <= gap[1]) {
                return false;
            }
        }
        return true;
    }

    private long missing() {
        long missing = 0;
        for (Listener listener : listeners) {
            for (Map.Entry<Integer, Long> sent : sentAt.entrySet()) {
                int n = sent.getKey();
                if (meantFor(listener, n, sent.getValue()) && !listener.firstAt.containsKey(n)) {
                    missing++;
                }
            }
        }
        return missing;
    }

    Report report(String fault) {
        return report(fault, listener -> true);
    }

    /**
     * The {@code percent} percentile of the delays (push to first arrival, ms) of the sent messages
     * that reached the listeners {@code which} accepts; -1 when none did.
     */
    long delayPercentileMs(java.util.function.Predicate<Listener> which, double percent) {
        List<Long> delays = new ArrayList<>();
        for (Listener listener : listeners.stream().filter(which).toList()) {
            for (Map.Entry<Integer, Long> sent : sentAt.entrySet()) {
                Long at = listener.firstAt.get(sent.getKey());
                if (at != null && meantFor(listener, sent.getKey(), sent.getValue())) {
                    delays.add((at - sent.getValue()) / 1_000_000);
                }
            }
        }
        if (delays.isEmpty()) {
            return -1;
        }
        delays.sort(null);
        return delays.get((int) Math.min(delays.size() - 1, Math.ceil(percent / 100 * delays.size()) - 1));
    }

    /** The figures of the listeners {@code which} accepts only. */
    Report report(String fault, java.util.function.Predicate<Listener> which) {
        long expected = 0;
        long delivered = 0;
        long duplicated = 0;
        long maxDelay = 0;
        List<Integer> lost = new ArrayList<>();
        for (Listener listener : listeners.stream().filter(which).toList()) {
            for (Map.Entry<Integer, Long> sent : sentAt.entrySet()) {
                int n = sent.getKey();
                if (!meantFor(listener, n, sent.getValue())) {
                    continue;
                }
                expected++;
                Long at = listener.firstAt.get(n);
                if (at == null) {
                    lost.add(n);
                    continue;
                }
                delivered++;
                duplicated += listener.count.get(n) - 1;
                maxDelay = Math.max(maxDelay, (at - sent.getValue()) / 1_000_000);
            }
        }
        lost.sort(null);
        return new Report(
                fault, sentAt.size(), refused.get(), expected, delivered, lost.size(), duplicated, maxDelay, lost);
    }
}
