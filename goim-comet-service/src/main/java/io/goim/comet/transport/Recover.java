package io.goim.comet.transport;

import io.goim.proto.frame.Frame;
import io.goim.proto.logic.RecoverReq;
import io.goim.proto.logic.StreamRecovery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The recover op's wire (docs/recovery.md): op 18's JSON in, op 19's JSON out, and the filter that
 * keeps only the inner frames a recovering client has not had yet.
 */
final class Recover {
    private static final JsonMapper JSON = JsonMapper.shared();

    private Recover() {}

    /** What op 18 asks; null when its body is not the recover JSON. */
    static RecoverReq.Builder parse(ByteBuf body) {
        try {
            JsonNode root = JSON.readTree(body.toString(StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) {
                return null;
            }
            RecoverReq.Builder request = RecoverReq.newBuilder();
            JsonNode room = root.get("room");
            if (room != null && !room.isNull()) {
                if (!room.isObject() || !position(room)) {
                    return null;
                }
                request.setRoomAsked(true)
                        .setRoomEpoch(room.path("epoch").asString(""))
                        .setRoomOffset(room.path("offset").asLong(0));
            }
            JsonNode user = root.get("user");
            if (user != null && !user.isNull()) {
                if (!user.isObject() || !position(user)) {
                    return null;
                }
                request.setUserAsked(true)
                        .setUserEpoch(user.path("epoch").asString(""))
                        .setUserOffset(user.path("offset").asLong(0));
            }
            return request;
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean position(JsonNode stream) {
        JsonNode epoch = stream.get("epoch");
        JsonNode offset = stream.get("offset");
        return (epoch == null || epoch.isNull() || epoch.isString())
                && (offset == null || offset.isNull() || (offset.isIntegralNumber() && offset.asLong() >= 0));
    }

    /** op 19's body: a part for each stream asked about. */
    static byte[] reply(RecoverReq asked, String roomId, StreamRecovery room, StreamRecovery user) {
        ObjectNode root = JSON.createObjectNode();
        if (asked.getRoomAsked()) {
            root.putObject("room")
                    .put("id", roomId)
                    .put("recovered", room.getRecovered())
                    .put("epoch", room.getEpoch())
                    .put("offset", room.getOffset());
        }
        if (asked.getUserAsked()) {
            root.putObject("user")
                    .put("recovered", user.getRecovered())
                    .put("epoch", user.getEpoch())
                    .put("offset", user.getOffset());
        }
        return JSON.writeValueAsBytes(root);
    }

    /**
     * A held delivery's body, inner frames back to back, with only those whose seq is above {@code
     * after} (seq 0, unnumbered, always stays); null when none stays. Releases nothing.
     */
    static ByteBuf newerThan(ByteBufAllocator alloc, ByteBuf frames, long after) {
        ByteBuf kept = null;
        int at = frames.readerIndex();
        int end = frames.writerIndex();
        while (end - at >= Frame.HEADER_LENGTH) {
            int length = frames.getInt(at);
            if (length < Frame.HEADER_LENGTH || length > end - at) {
                break;
            }
            int seq = frames.getInt(at + 12);
            if (seq == 0 || seq > after) {
                if (kept == null) {
                    kept = alloc.buffer(end - at);
                }
                kept.writeBytes(frames, at, length);
            }
            at += length;
        }
        return kept;
    }
}
