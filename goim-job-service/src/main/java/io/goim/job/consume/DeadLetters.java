package io.goim.job.consume;

import io.goim.job.config.JobProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.stereotype.Component;

/**
 * Sends records that failed for good to the dead-letter topic, counted by reason ({@code
 * goim.job.dead.letters}). A record is finished once the dead-letter topic has it. When that send
 * fails it is tried again with back-off, {@code dead-letter-attempts} times in all, with the record's
 * offset uncommitted meanwhile (a job that dies meanwhile loses nothing); after the last attempt the
 * record is given up: counted by reason ({@code goim.job.dead.letters.given.up}), logged at ERROR,
 * and finished, so that its partition's committed offset moves on. Holding the offset for ever
 * instead would stop every later commit of the partition and, once {@code max-in-flight} records are
 * open, the partition itself.
 *
 * <p>Sends run on their own thread because the recoverer waits for the broker, and neither the
 * consumer thread nor a comet's lane should. A retry is scheduled, not slept on that thread, so one
 * failing dead letter does not hold up the others.
 */
@Component
final class DeadLetters implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final DeadLetterPublishingRecoverer recoverer;
    private final MeterRegistry meters;
    private final int attempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("goim-dead-letter").daemon().factory());

    @Autowired
    DeadLetters(DeadLetterPublishingRecoverer recoverer, MeterRegistry meters, JobProperties properties) {
        this(recoverer, meters, properties.kafka().deadLetterAttempts(), Duration.ofMillis(500), Duration.ofSeconds(8));
    }

    DeadLetters(
            DeadLetterPublishingRecoverer recoverer,
            MeterRegistry meters,
            int attempts,
            Duration firstBackoff,
            Duration maxBackoff) {
        this.recoverer = recoverer;
        this.meters = meters;
        this.attempts = attempts;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Completes once the dead-letter topic has {@code record}, or once it was given up; never when
     * job stops first (the record stays uncommitted for the next job).
     */
    CompletableFuture<Void> publish(ConsumerRecord<?, ?> record, String reason, Exception cause) {
        log.warn(
                "dead letter topic={} partition={} offset={} reason={} cause={}",
                record.topic(),
                record.partition(),
                record.offset(),
                reason,
                cause.getMessage());
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            sender.execute(() -> attempt(record, reason, cause, 1, firstBackoff, done));
        } catch (RejectedExecutionException e) {
            // job is stopping: left uncommitted
        }
        return done;
    }

    private void attempt(
            ConsumerRecord<?, ?> record,
            String reason,
            Exception cause,
            int attempt,
            Duration backoff,
            CompletableFuture<Void> done) {
        try {
            recoverer.accept(record, null, cause);
            meters.counter("goim.job.dead.letters", "reason", reason).increment();
            done.complete(null);
            return;
        } catch (RuntimeException e) {
            if (attempt >= attempts) {
                meters.counter("goim.job.dead.letters.given.up", "reason", reason)
                        .increment();
                log.error(
                        "dead letter given up, its push is lost topic={} partition={} offset={} reason={} attempts={}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        reason,
                        attempt,
                        e);
                done.complete(null);
                return;
            }
            log.warn(
                    "dead letter not sent, trying again topic={} partition={} offset={} attempt={} in={} error={}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    attempt,
                    backoff,
                    e.toString());
        }
        Duration next = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        try {
            sender.schedule(
                    () -> attempt(record, reason, cause, attempt + 1, next, done),
                    backoff.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // job is stopping: left uncommitted, the next job reads it again
        }
    }

    @Override
    public void destroy() {
        sender.shutdownNow();
    }
}
