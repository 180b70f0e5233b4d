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
        if (!channel.roomId().isEmpty()) {
            rooms.computeIfAbsent(channel.roomId(), r -> ConcurrentHashMap.newKeySet())
                    .add(channel);
        }
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

    public Channel channel(String key) {
        return channels.get(key);
    }

    public int size() {
        return channels.size();
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

    public Set<String> roomIds() {
        return rooms.keySet();
    }

    private void leaveRoom(Channel channel) {
        if (channel.roomId().isEmpty()) {
            return;
        }
        rooms.computeIfPresent(channel.roomId(), (id, members) -> {
            members.remove(channel);
            return members.isEmpty() ? null : members;
        });
    }
}
