package io.goim.comet.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors on client connections, summed and logged once per interval instead of once each: a fault
 * that hits many connections at once (a network hiccup, a client fleet restarting) must not flood
 * the log. A connection reset by its client is counted apart from comet's own errors: a client
 * leaving is not an internal error. Per connection they are logged at DEBUG.
 */
final class ConnectionErrors {
    private static final Logger log = LoggerFactory.getLogger(ConnectionErrors.class);

    private final AtomicLong gone = new AtomicLong();
    private final AtomicLong internal = new AtomicLong();
    private final AtomicReference<String> lastInternal = new AtomicReference<>();

    /** The client reset or broke the connection (an I/O error on its socket). */
    void clientGone(Object remote, Throwable cause) {
        gone.incrementAndGet();
        log.debug("connection lost remote={} error={}", remote, cause.toString());
    }

    /** Anything else a connection's pipeline threw. */
    void internal(Object remote, Throwable cause) {
        internal.incrementAndGet();
        lastInternal.set(cause.toString());
        log.debug("connection error remote={}", remote, cause);
    }

    /** Logs what was counted since the last call, if anything; called once per interval. */
    void logSummary() {
        long lost = gone.getAndSet(0);
        long errors = internal.getAndSet(0);
        String last = lastInternal.getAndSet(null);
        if (lost > 0) {
            log.info("connections lost by their clients since last summary count={}", lost);
        }
        if (errors > 0) {
            log.warn("connection errors since last summary count={} last={}", errors, last);
        }
    }
}
