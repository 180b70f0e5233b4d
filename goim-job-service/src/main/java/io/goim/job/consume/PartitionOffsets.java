package io.goim.job.consume;

import java.util.ArrayDeque;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.support.Acknowledgment;

/**
 * The open records of one assigned partition in offset order. Records finish out of order (a PUSH
 * to one comet may finish before an earlier ROOM message still waiting in the merger), but the
 * committed offset only moves up to the lowest record not yet finished: everything below it is done.
 * One instance per assignment; after a revocation it acknowledges nothing more, since the
 * partition's new owner reads again from the last commit.
 */
final class PartitionOffsets {
    final TopicPartition partition;
    private final ArrayDeque<PendingRecord> open = new ArrayDeque<>();
    private boolean revoked;

    PartitionOffsets(TopicPartition partition) {
        this.partition = partition;
    }

    synchronized PendingRecord open(long offset, Acknowledgment ack, Runnable release) {
        PendingRecord record = new PendingRecord(offset, ack, this, release);
        open.addLast(record);
        return record;
    }

    synchronized void finished(PendingRecord record) {
        record.finished = true;
        if (revoked) {
            return;
        }
        PendingRecord last = null;
        while (!open.isEmpty() && open.peekFirst().finished) {
            last = open.pollFirst();
        }
        if (last != null) {
            // commits last.offset + 1 on the consumer thread (ack mode MANUAL queues it there)
            last.ack.acknowledge();
        }
    }

    synchronized int openRecords() {
        return open.size();
    }

    synchronized void revoke() {
        revoked = true;
        open.clear();
    }
}
