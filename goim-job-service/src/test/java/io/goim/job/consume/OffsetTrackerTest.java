package io.goim.job.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.job.config.JobProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.Acknowledgment;

/** Commits reach only up to the lowest record not yet finished; the open records are bounded. */
class OffsetTrackerTest {
    private static final String TOPIC = "goim-push-topic";

    private final List<Long> committed = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final OffsetTracker tracker = new OffsetTracker(properties(3), meters);

    @Test
    void commitsUpToTheLowestOpenRecordOnly() throws Exception {
        PendingRecord r0 = open(0, 0);
        PendingRecord r1 = open(0, 1);
        PendingRecord r2 = open(0, 2);

        r1.finish(); // a PUSH done before the ROOM message at offset 0
        r2.finish();
        assertThat(committed).isEmpty();

        r0.finish();
        assertThat(committed).containsExactly(2L); // acknowledging 2 commits offset 3

        r0.finish(); // finishing twice changes nothing
        assertThat(committed).containsExactly(2L);
    }

    @Test
    void partitionsAreTrackedApart() throws Exception {
        PendingRecord a = open(0, 10);
        PendingRecord b = open(1, 20);

        b.finish();
        assertThat(committed).containsExactly(20L);
        a.finish();
        assertThat(committed).containsExactly(20L, 10L);
    }

    @Test
    void aRevokedPartitionAcknowledgesNothingMore() throws Exception {
        PendingRecord r5 = open(0, 5);
        tracker.onPartitionsRevokedBeforeCommit(null, List.of(new TopicPartition(TOPIC, 0)));

        r5.finish();
        assertThat(committed).isEmpty();

        // assigned again: the new owner (maybe this job) reads 5 again and tracks it afresh
        PendingRecord again = open(0, 5);
        again.finish();
        assertThat(committed).containsExactly(5L);
    }

    @Test
    void boundsTheRecordsInFlight() throws Exception {
        PendingRecord r0 = open(0, 0);
        open(0, 1);
        PendingRecord r2 = open(0, 2);
        assertThat(meters.get("goim.job.records.in.flight").gauge().value()).isEqualTo(3.0);

        assertThat(tracker.open(record(0, 3), () -> committed.add(3L))).isNull();

        r2.abandon(); // job stopping: its place is free, its offset not committed
        assertThat(open(0, 3)).isNotNull();
        r0.finish();
        assertThat(committed).containsExactly(0L);
    }

    private PendingRecord open(int partition, long offset) throws InterruptedException {
        Acknowledgment ack = () -> committed.add(offset);
        return tracker.open(record(partition, offset), ack);
    }

    private static ConsumerRecord<String, byte[]> record(int partition, long offset) {
        return new ConsumerRecord<>(TOPIC, partition, offset, "key", new byte[0]);
    }

    private static JobProperties properties(int maxInFlight) {
        return new JobProperties(
                new JobProperties.Kafka(TOPIC, "group", 1, TOPIC + ".DLT", maxInFlight, Duration.ofMillis(20), 5),
                new JobProperties.Comet(
                        "goim-comet",
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5),
                        16,
                        3,
                        Duration.ofMillis(100),
                        Duration.ofSeconds(1),
                        8,
                        Duration.ofSeconds(1)),
                new JobProperties.Room(20, Duration.ofSeconds(1), Duration.ofMinutes(15)),
                new JobProperties.History(
                        false,
                        new JobProperties.Stream(100, Duration.ofMinutes(5), null),
                        null,
                        Duration.ofHours(24),
                        1000,
                        Duration.ofMinutes(10)));
    }
}
