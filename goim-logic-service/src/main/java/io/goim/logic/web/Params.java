package io.goim.logic.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Repeatable parameters: {@code mids=1&mids=2}, comma lists {@code mids=1,2}, or both, with the
 * per-call limit of {@code goim.logic.limits.max-targets}. goim's keys are UUIDs, so a comma is
 * never part of a key.
 */
final class Params {
    private Params() {}

    /** The values of a query parameter, none when it is absent. */
    static List<String> all(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null ? List.of() : values;
    }

    /** A required single-valued parameter: its first value, which must not be empty. */
    static String required(Map<String, List<String>> query, String name) {
        List<String> values = all(query, name);
        if (values.isEmpty() || values.getFirst().isEmpty()) {
            throw new RequestException("Required query parameter '" + name + "' is not present.");
        }
        return values.getFirst();
    }

    /** An int32 parameter; {@code fallback} when it is optional and absent, else required. */
    static int int32(Map<String, List<String>> query, String name, Integer fallback) {
        if (fallback != null && all(query, name).isEmpty()) {
            return fallback;
        }
        String value = required(query, name);
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new RequestException(name + ": not an int32: " + value);
        }
    }

    static List<String> list(String name, List<String> values, int max) {
        List<String> all = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",")) {
                String item = part.strip();
                if (!item.isEmpty()) {
                    all.add(item);
                }
            }
        }
        if (all.isEmpty()) {
            throw new RequestException("Required query parameter '" + name + "' is not present.");
        }
        if (all.size() > max) {
            throw new RequestException(
                    "too many " + name + ": " + all.size() + " > goim.logic.limits.max-targets=" + max);
        }
        return all;
    }

    static List<Long> mids(List<String> values, int max) {
        List<String> all = list("mids", values, max);
        List<Long> mids = new ArrayList<>(all.size());
        for (String mid : all) {
            try {
                mids.add(Long.parseLong(mid));
            } catch (NumberFormatException e) {
                throw new RequestException("mids: not a number: " + mid);
            }
        }
        return mids;
    }

    /** Longest room type or room id the push API takes. */
    static final int MAX_ROOM_PART = 256;

    /**
     * A room type or room id as it goes into the room id {@code type://room}, Kafka's record key,
     * the comets' rooms and Redis' online counts: no control characters (a newline or NUL would forge
     * log lines and break the online counts' JSON readers), and not longer than {@link #MAX_ROOM_PART}.
     */
    static String roomPart(String name, String value) {
        if (value.length() > MAX_ROOM_PART) {
            throw new RequestException(name + ": longer than " + MAX_ROOM_PART + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new RequestException(name + ": control character at index " + i);
            }
        }
        return value;
    }
}
