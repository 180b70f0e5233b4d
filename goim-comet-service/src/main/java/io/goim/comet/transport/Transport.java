package io.goim.comet.transport;

/** The transports comet serves clients on (contract section 1). */
public enum Transport {
    WEBSOCKET("ws"),
    WEBSOCKET_TLS("wss"),
    TCP("tcp");

    private final String tag;

    Transport(String tag) {
        this.tag = tag;
    }

    /** The tag value for metrics and logs. */
    public String tag() {
        return tag;
    }

    /** WebSocket clients get op-9 envelopes; TCP clients get the inner frames (contract section 2). */
    boolean isWebSocket() {
        return this != TCP;
    }
}
