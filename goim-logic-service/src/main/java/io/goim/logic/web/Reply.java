package io.goim.logic.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * goim's response envelope (contract section 3), always with HTTP 200: code 0 OK, -400 request
 * error, -500 server error; -401 (with HTTP 401) for a missing or wrong API key. data is left out
 * when there is none, as goim's omitempty.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "goim's envelope")
record Reply(
        @Schema(description = "0 OK, -400 request error, -401 bad API key, -500 server error", example = "0")
        int code,

        @Schema(example = "ok") String message,

        @Schema(description = "the answer of a query; absent for pushes and errors")
        Object data) {
    static final int OK = 0;
    static final int REQUEST_ERROR = -400;
    static final int UNAUTHORIZED = -401;
    static final int SERVER_ERROR = -500;

    static Reply ok() {
        return new Reply(OK, "ok", null);
    }

    static Reply ok(Object data) {
        return new Reply(OK, "ok", data);
    }

    static Reply error(int code, String message) {
        return new Reply(code, message, null);
    }
}
