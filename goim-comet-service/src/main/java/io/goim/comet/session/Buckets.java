package io.goim.comet.session;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/** All of this comet's buckets; a key always maps to the same bucket (contract section 7). */
public final class Buckets {
    private final Bucket[] buckets;

    public Buckets(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("bucket size must be at least 1, was " + size);
        }
        buckets = new Bucket[size];
        for (int i = 0; i < size; i++) {
            buckets[i] = new Bucket();
        }
    }

    public Bucket bucket(String key) {
        int h = key.hashCode();
        return buckets[Math.floorMod(h ^ (h >>> 16), buckets.length)];
    }

    public Channel channel(String key) {
        return bucket(key).channel(key);
    }

    public int size() {
        return buckets.length;
    }

    public Bucket get(int index) {
        return buckets[index];
    }

    /** This comet's online count of a room, over every bucket. */
    public int roomCount(String roomId) {
        int count = 0;
        for (Bucket bucket : buckets) {
            count += bucket.roomCount(roomId);
        }
        return count;
    }

    /** Room id → this comet's online count, for RenewOnline (contract section 7). */
    public Map<String, Integer> roomCounts() {
        Map<String, Integer> counts = new HashMap<>();
        for (Bucket bucket : buckets) {
            bucket.addRoomCounts(counts);
        }
        return counts;
    }

    public int connectionCount() {
        int count = 0;
        for (Bucket bucket : buckets) {
            count += bucket.size();
        }
        return count;
    }

    /** Every bucket's channels in {@code roomId}, as live sets by the thread that writes them. */
    public void forEachShareInRoom(String roomId, BiConsumer<Executor, Set<Channel>> action) {
        for (Bucket bucket : buckets) {
            bucket.forEachShareInRoom(roomId, action);
        }
    }
}
