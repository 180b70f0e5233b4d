package io.goim.comet.session;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A shard of this comet's channels, by key, and of its rooms (contract section 7). */
public final class Bucket {
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, Set<Channel>> rooms = new ConcurrentHashMap<>();

    /** Adds a channel; returns the older channel with the same key, which the caller closes, or null. */
    public Channel put(Channel channel) {
        Channel older = channels.put(channel.key(), channel);
        if (older != null) {
            leaveRoom(older);
        }
        joinRoom(channel);
        return older;
    }

    /** Removes this very channel; a newer channel that replaced it under the same key stays. */
    public boolean remove(Channel channel) {
        boolean removed = channels.remove(channel.key(), channel);
        if (removed) {
            leaveRoom(channel);
        }
        return removed;
    }

    /** Moves a channel of this bucket to another room; "" leaves its room (goim op 12). */
    public synchronized void changeRoom(Channel channel, String roomId) {
        leaveRoom(channel);
        channel.roomId(roomId == null ? "" : roomId);
        if (channels.get(channel.key()) == channel) {
            joinRoom(channel);
        }
    }

    public Channel channel(String key) {
        return channels.get(key);
    }

    public int size() {
        return channels.size();
    }

    public void forEach(Consumer<Channel> action) {
        channels.values().forEach(action);
    }

    public int roomCount(String roomId) {
        Set<Channel> room = rooms.get(roomId);
        return room == null ? 0 : room.size();
    }

    public void forEachInRoom(String roomId, Consumer<Channel> action) {
        Set<Channel> room = rooms.get(roomId);
        if (room != null) {
            room.forEach(action);
        }
    }

    /** Room id → count of this bucket's channels in it. */
    public void addRoomCounts(Map<String, Integer> counts) {
        rooms.forEach((id, members) -> counts.merge(id, members.size(), Integer::sum));
    }

    private void joinRoom(Channel channel) {
        String roomId = channel.roomId();
        if (!roomId.isEmpty()) {
            rooms.computeIfAbsent(roomId, r -> ConcurrentHashMap.newKeySet()).add(channel);
        }
    }

    private void leaveRoom(Channel channel) {
        String roomId = channel.roomId();
        if (roomId.isEmpty()) {
            return;
        }
        rooms.computeIfPresent(roomId, (id, members) -> {
            members.remove(channel);
            return members.isEmpty() ? null : members;
        });
    }
}
