package io.goim.job.consume;

import io.goim.job.config.JobProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * At least once from Kafka to comet (contract section 8: goim commits before it pushes). The listener
 * hands records over without waiting for the comets, so that a room waiting in the merger does not
 * hold up the records behind it; this tracker commits, per partition, only up to the lowest record
 * not yet finished (see {@link PartitionOffsets}). A crash therefore loses nothing: the next job reads
 * again from there, and duplicates are possible. At most {@code max-in-flight} records are open at a
 * time, which bounds job's memory when comets are slow.
 */
@Component
final class OffsetTracker implements ConsumerAwareRebalanceListener {
    private static final Logger log = LoggerFactory.getLogger(OffsetTracker.class);

    private final Map<TopicPartition, PartitionOffsets> partitions = new ConcurrentHashMap<>();
    private final Semaphore inFlight;
    private final Duration wait;

    OffsetTracker(JobProperties properties, MeterRegistry meters) {
        int max = properties.kafka().maxInFlight();
        this.inFlight = new Semaphore(max);
        this.wait = properties.kafka().inFlightWait();
        meters.gauge("goim.job.records.in.flight", inFlight, permits -> max - permits.availablePermits());
    }

    /**
     * Opens {@code record}, on the consumer thread and in offset order. Waits while {@code
     * max-in-flight} records are open; null when still full after {@code in-flight-wait}.
     */
    @Nullable
    PendingRecord open(ConsumerRecord<?, ?> record, Acknowledgment ack) throws InterruptedException {
        if (!inFlight.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            log.warn(
                    "too many records in flight, reading again later topic={} partition={} offset={}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return null;
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        return partitions
                .computeIfAbsent(partition, PartitionOffsets::new)
                .open(record.offset(), ack, inFlight::release);
    }

    @Override
    public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        forget(revoked);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> lost) {
        forget(lost);
    }

    private void forget(Collection<TopicPartition> gone) {
        for (TopicPartition partition : gone) {
            PartitionOffsets offsets = partitions.remove(partition);
            if (offsets != null) {
                int open = offsets.openRecords();
                offsets.revoke();
                if (open > 0) {
                    log.info(
                            "partition revoked with open records, its next owner reads them again"
                                    + " partition={} open={}",
                            partition,
                            open);
                }
            }
        }
    }
}
