package io.goim.job.fanout;

/** How one call to one comet ended, as {@link CometLane} reports it. */
enum CallOutcome {
    /** The comet answered OK. */
    ACCEPTED,
    /** Retries used up, the queue was full, or the comet left Eureka: dead-letter it. */
    FAILED,
    /** job is shutting down: leave the record uncommitted so that the next job sends it. */
    ABANDONED,
    /**
     * Not sent: the comet cannot be connected to (its channel fails to connect), so it holds no
     * connection job could reach; counted, not dead-lettered (docs/reliability.md).
     */
    UNREACHABLE
}
