package io.goim.logic.online;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One of the 64 fields of {@code ol_{server}}, as goim writes it (contract section 4):
 * {@code {"server", "room_count": {room: n}, "updated": unix-seconds}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ServerOnline(
        String server, @JsonProperty("room_count") Map<String, Integer> roomCount, long updated) {
    ServerOnline {
        roomCount = roomCount == null ? Map.of() : roomCount;
    }
}
