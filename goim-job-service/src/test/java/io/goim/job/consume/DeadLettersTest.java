package io.goim.job.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doNothing;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/** Issue 13: a dead letter that cannot be sent is given up after a bounded number of attempts. */
class DeadLettersTest {
    private final DeadLetterPublishingRecoverer recoverer = mock(DeadLetterPublishingRecoverer.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DeadLetters deadLetters =
            new DeadLetters(recoverer, meters, 4, Duration.ofMillis(10), Duration.ofMillis(40));

    @AfterEach
    void stop() {
        deadLetters.destroy();
    }

    @Test
    void aDeadLetterTheBrokerNeverTakesIsGivenUpAndCounted() throws Exception {
        doThrow(new KafkaException("broker away")).when(recoverer).accept(any(), isNull(), any());
        ConsumerRecord<String, byte[]> record = record(7);

        CompletableFuture<Void> done = deadLetters.publish(record, "undelivered", new RuntimeException("x"));

        // finished, so that the partition's offset moves past it
        done.get(5, TimeUnit.SECONDS);
        verify(recoverer, times(4)).accept(any(), isNull(), any());
        assertThat(meters.counter("goim.job.dead.letters.given.up", "reason", "undelivered")
                        .count())
                .isEqualTo(1);
        assertThat(meters.counter("goim.job.dead.letters", "reason", "undelivered")
                        .count())
                .isZero();
    }

    @Test
    void aDeadLetterSentOnALaterAttemptIsCountedAsSent() throws Exception {
        doThrow(new KafkaException("broker away")).doNothing().when(recoverer).accept(any(), isNull(), any());

        deadLetters.publish(record(8), "error", new RuntimeException("x")).get(5, TimeUnit.SECONDS);

        verify(recoverer, times(2)).accept(any(), isNull(), any());
        assertThat(meters.counter("goim.job.dead.letters", "reason", "error").count())
                .isEqualTo(1);
        assertThat(meters.counter("goim.job.dead.letters.given.up", "reason", "error")
                        .count())
                .isZero();
    }

    @Test
    void aFailingDeadLetterDoesNotHoldUpTheNextOne() throws Exception {
        DeadLetters slowRetries = new DeadLetters(recoverer, meters, 3, Duration.ofSeconds(2), Duration.ofSeconds(2));
        try {
            doThrow(new KafkaException("too large"))
                    .when(recoverer)
                    .accept(argThat(r -> r != null && r.offset() == 1), isNull(), any());
            doNothing().when(recoverer).accept(argThat(r -> r != null && r.offset() == 2), isNull(), any());

            CompletableFuture<Void> failing = slowRetries.publish(record(1), "undelivered", new RuntimeException());
            CompletableFuture<Void> next = slowRetries.publish(record(2), "undelivered", new RuntimeException());

            // the second is sent while the first waits for its retry
            next.get(1, TimeUnit.SECONDS);
            assertThat(failing).isNotDone();
            failing.get(10, TimeUnit.SECONDS);
        } finally {
            slowRetries.destroy();
        }
    }

    private static ConsumerRecord<String, byte[]> record(long offset) {
        return new ConsumerRecord<>("goim-push-topic", 0, offset, "key", new byte[] {1});
    }
}
