package io.goim.logic.online;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The cluster-wide room counts, keyed by room id {@code type://room}, replaced as a whole every
 * reload (contract section 4). Reads never lock.
 */
@Component
public final class RoomCounts {
    private static final String SEPARATOR = "://";

    private volatile Map<String, Integer> counts = Map.of();

    /** A room of online/top: {@code {"room_id": "1000", "count": 100}}. */
    public record Top(@JsonProperty("room_id") String roomId, int count) {}

    /** Every room id with its count (RenewOnline's reply). */
    public Map<String, Integer> all() {
        return counts;
    }

    void replace(Map<String, Integer> newCounts) {
        counts = Map.copyOf(newCounts);
    }

    /**
     * online/top: the rooms of that type by count, largest first, at most limit. goim matches the
     * type as a prefix of the room id; this matches it exactly, so "live" does not take "lively://".
     */
    public List<Top> top(String type, int limit) {
        String prefix = type + SEPARATOR;
        return counts.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .map(e -> new Top(e.getKey().substring(prefix.length()), e.getValue()))
                .sorted(Comparator.comparingInt(Top::count).reversed().thenComparing(Top::roomId))
                .limit(Math.max(limit, 0))
                .toList();
    }

    /** online/room: the count of each room of that type, 0 when nobody is there. */
    public Map<String, Integer> rooms(String type, List<String> rooms) {
        Map<String, Integer> byRoom = new LinkedHashMap<>();
        for (String room : rooms) {
            byRoom.put(room, counts.getOrDefault(type + SEPARATOR + room, 0));
        }
        return byRoom;
    }

    /**
     * Sums the entries of every comet, skipping entries older than the deadline: goim skips a whole
     * comet by its newest entry, which keeps counting rooms that a live comet no longer reports.
     */
    static Map<String, Integer> sum(List<ServerOnline> entries, long nowSeconds, long deadlineSeconds) {
        Map<String, Integer> sum = new HashMap<>();
        for (ServerOnline entry : entries) {
            if (nowSeconds - entry.updated() > deadlineSeconds) {
                continue;
            }
            entry.roomCount().forEach((room, count) -> sum.merge(room, count, Integer::sum));
        }
        return sum;
    }
}
