package io.goim.comet.session;

import java.util.HashSet;
import java.util.Set;

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

    /** This comet's online count of a room, over every bucket. */
    public int roomCount(String roomId) {
        int count = 0;
        for (Bucket bucket : buckets) {
            count += bucket.roomCount(roomId);
        }
        return count;
    }

    public int connectionCount() {
        int count = 0;
        for (Bucket bucket : buckets) {
            count += bucket.size();
        }
        return count;
    }

    public Set<String> roomIds() {
        Set<String> ids = new HashSet<>();
        for (Bucket bucket : buckets) {
            ids.addAll(bucket.roomIds());
        }
        return ids;
    }

    public Bucket[] all() {
        return buckets.clone();
    }
}
