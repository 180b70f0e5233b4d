package io.goim.job.fanout;

import java.util.List;

/**
 * How the gRPC calls for one push ended.
 *
 * @param status ACCEPTED by every comet addressed that job can connect to (one it cannot connect
 *     to is skipped, counted as {@code goim.job.comet.unreachable}: it holds no reachable
 *     connection); FAILED after bounded retries (or not sent at all),
 *     to be dead-lettered; ABANDONED because job is shutting down, in which case the record stays
 *     uncommitted and the next job reads it again (at least once)
 * @param failedServers the server ids that did not accept the call, when known
 */
public record Delivery(Status status, List<String> failedServers) {
    public static final Delivery ACCEPTED = new Delivery(Status.ACCEPTED, List.of());
    public static final Delivery ABANDONED = new Delivery(Status.ABANDONED, List.of());

    public enum Status {
        ACCEPTED,
        FAILED,
        ABANDONED
    }

    public Delivery {
        failedServers = List.copyOf(failedServers);
    }

    public static Delivery failed(List<String> servers) {
        return new Delivery(Status.FAILED, servers);
    }
}
