package io.goim.comet.session;

import java.util.Map;

/**
 * The cluster-wide room counts logic returns from RenewOnline (contract section 7); heartbeat
 * replies use them, and this comet's own count for a room logic has not counted yet.
 */
public final class OnlineCounts {
    private volatile Map<String, Integer> cluster = Map.of();

    public void update(Map<String, Integer> allRoomCount) {
        cluster = Map.copyOf(allRoomCount);
    }

    /** The room's online count: cluster-wide when known, else this comet's. */
    public int count(String roomId, Buckets buckets) {
        if (roomId.isEmpty()) {
            return 0;
        }
        Integer known = cluster.get(roomId);
        return known != null ? known : buckets.roomCount(roomId);
    }
}
