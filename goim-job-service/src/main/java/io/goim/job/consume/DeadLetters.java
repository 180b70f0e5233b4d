package io.goim.job.consume;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.stereotype.Component;

/**
 * Sends records that failed for good to the dead-letter topic, counted by reason ({@code
 * goim.job.dead.letters}). A record is finished only once the dead-letter topic has it: when that
 * send fails it is tried again with back-off, and the record's offset stays uncommitted meanwhile
 * (nothing is lost if job dies). Sends run on their own thread because the recoverer waits for the
 * broker, and neither the consumer thread nor a comet's lane should.
 */
@Component
final class DeadLetters implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final DeadLetterPublishingRecoverer recoverer;
    private final MeterRegistry meters;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("goim-dead-letter").daemon().factory());
    private volatile boolean closed;

    DeadLetters(DeadLetterPublishingRecoverer recoverer, MeterRegistry meters) {
        this.recoverer = recoverer;
        this.meters = meters;
    }

    /** Completes once the dead-letter topic has {@code record}; never when job stops first. */
    CompletableFuture<Void> publish(ConsumerRecord<?, ?> record, String reason, Exception cause) {
        log.warn(
                "dead letter topic={} partition={} offset={} reason={} cause={}",
                record.topic(),
                record.partition(),
                record.offset(),
                reason,
                cause.getMessage());
        try {
            return CompletableFuture.runAsync(() -> send(record, reason, cause), sender);
        } catch (RejectedExecutionException e) {
            return new CompletableFuture<>();
        }
    }

    private void send(ConsumerRecord<?, ?> record, String reason, Exception cause) {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            try {
                recoverer.accept(record, null, cause);
                meters.counter("goim.job.dead.letters", "reason", reason).increment();
                return;
            } catch (RuntimeException e) {
                log.error(
                        "dead letter not sent, trying again topic={} partition={} offset={} in={}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        backoff,
                        e);
            }
            try {
                // failure path only: the broker did not take the dead letter
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
        throw new RejectedExecutionException("job stopping, dead letter left for the next job");
    }

    @Override
    public void destroy() {
        closed = true;
        sender.shutdownNow();
    }
}
