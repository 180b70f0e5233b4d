package io.goim.logic.auth;

import java.util.List;

/**
 * Who a connection is, as ConnectReply tells comet (contract section 2). An empty key means that
 * logic generates one.
 */
public record Identity(long mid, String key, String roomId, String platform, List<Integer> accepts) {
    public Identity {
        key = key == null ? "" : key;
        roomId = roomId == null ? "" : roomId;
        platform = platform == null ? "" : platform;
        accepts = accepts == null ? List.of() : List.copyOf(accepts);
    }
}
