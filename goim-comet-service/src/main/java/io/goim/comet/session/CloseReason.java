package io.goim.comet.session;

/**
 * Why comet closed a connection. The codes go to WebSocket clients as close codes (4000 and up, the
 * range RFC 6455 leaves to applications); goim's clients ignore them harmlessly, since goim itself
 * sends none. TCP has no close code: the connection just closes.
 */
public enum CloseReason {
    HANDSHAKE_TIMEOUT(4001, "no auth frame within the handshake timeout"),
    AUTH_FAILED(4002, "auth refused by logic"),
    HEARTBEAT_TIMEOUT(4003, "no heartbeat within the heartbeat timeout"),
    BAD_FRAME(4004, "bad frame"),
    REPLACED(4005, "replaced by a newer connection with the same key"),
    SLOW_CONSUMER(4006, "too slow to read what was pushed"),
    IP_LIMIT(4007, "too many connections from this address"),
    FRAME_RATE(4008, "too many frames per second"),
    DRAINING(4009, "this comet is shutting down: reconnect"),
    UNSUPPORTED_MESSAGE(4010, "only binary goim frames are accepted"),
    LOGIC_UNAVAILABLE(4011, "auth could not be checked now: retry"),
    INTERNAL_ERROR(4012, "internal error"),
    CONNECTION_LIMIT(4013, "this comet is full: reconnect elsewhere"),
    /** The client reset or broke the connection: nothing reaches it any more, the code is for the metrics. */
    CLIENT_GONE(4014, "connection lost by the client"),
    /** Not goim's (docs/recovery.md): an op 18 whose body is not the recover JSON. */
    BAD_RECOVER(4020, "bad recover request"),
    /** Not goim's (docs/recovery.md): the recover could not be answered now: reconnect and recover again. */
    RECOVER_FAILED(4021, "recover failed: reconnect and recover again");

    private final int code;
    private final String text;

    CloseReason(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The WebSocket close code. */
    public int code() {
        return code;
    }

    /** A short text for the close frame and the logs. */
    public String text() {
        return text;
    }

    /** The tag value for metrics and logs. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
