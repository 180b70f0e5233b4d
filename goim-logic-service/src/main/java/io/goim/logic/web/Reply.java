package io.goim.logic.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/** goim's response envelope (contract section 3): code 0 OK, -400 request error, -500 server error. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Reply(int code, String message, Object data) {
    static final int OK = 0;
    static final int REQUEST_ERROR = -400;
    static final int SERVER_ERROR = -500;

    static Reply ok() {
        return new Reply(OK, "ok", null);
    }

    static Reply error(int code, String message) {
        return new Reply(code, message, null);
    }
}
