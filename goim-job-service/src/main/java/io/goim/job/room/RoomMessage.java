package io.goim.job.room;

/**
 * One room push as job read it: the business operation, the message, and the Kafka record it came
 * in (partition and offset, -1 when unknown), by which the room history recognises a replayed record.
 */
public record RoomMessage(int op, byte[] body, int partition, long kafkaOffset) {
    /** A message whose record is not known (tests, tools): never taken for a replay. */
    public static RoomMessage of(int op, byte[] body) {
        return new RoomMessage(op, body, -1, -1);
    }
}
