package io.goim.job.consume;

import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.kafka.support.Acknowledgment;

/** A record consumed and not yet finished: its offset, its acknowledgment, where it is tracked. */
final class PendingRecord {
    final long offset;
    final Acknowledgment ack;
    private final PartitionOffsets partition;
    private final Runnable release;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Guarded by {@link #partition}. */
    boolean finished;

    PendingRecord(long offset, Acknowledgment ack, PartitionOffsets partition, Runnable release) {
        this.offset = offset;
        this.ack = ack;
        this.partition = partition;
        this.release = release;
    }

    /** Every call for it was accepted, or it was dead-lettered: its offset may be committed. */
    void finish() {
        if (ended.compareAndSet(false, true)) {
            partition.finished(this);
            release.run();
        }
    }

    /** job is stopping: leave it uncommitted (the next job reads it again) and free its place. */
    void abandon() {
        if (ended.compareAndSet(false, true)) {
            release.run();
        }
    }
}
