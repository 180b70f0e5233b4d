package io.goim.logic.history;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** {@code data} of {@code /goim/history/*} (docs/recovery.md). */
public record HistoryPage(
        @Schema(description = "the stream's epoch; \"\" when it has none")
        String epoch,

        @Schema(description = "the stream's current offset (its last message)")
        long offset,

        @Schema(description = "false when messages after since are missing (expired, trimmed, another epoch)")
        boolean recovered,

        List<Message> messages) {

    /** One stored message; {@code body} is base64 in JSON. */
    public record Message(
            long offset,
            int op,

            @Schema(description = "the message, base64", format = "byte")
            byte[] body) {}
}
