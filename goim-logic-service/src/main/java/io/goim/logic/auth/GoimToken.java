package io.goim.logic.auth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** goim's JSON auth token, read as goim reads it (contract section 2); unknown fields are ignored. */
@JsonIgnoreProperties(ignoreUnknown = true)
record GoimToken(
        long mid, String key, @JsonProperty("room_id") String roomId, String platform, List<Integer> accepts) {}
