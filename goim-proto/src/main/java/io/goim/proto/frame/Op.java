package io.goim.proto.frame;

/** goim's operations (contract section 2). Business operations are 1000 and above. */
public final class Op {
    public static final int HANDSHAKE = 0;
    public static final int HANDSHAKE_REPLY = 1;
    public static final int HEARTBEAT = 2;
    public static final int HEARTBEAT_REPLY = 3;
    public static final int SEND_MSG = 4;
    public static final int SEND_MSG_REPLY = 5;
    public static final int DISCONNECT_REPLY = 6;
    public static final int AUTH = 7;
    public static final int AUTH_REPLY = 8;
    public static final int RAW = 9;
    public static final int PROTO_READY = 10;
    public static final int PROTO_FINISH = 11;
    public static final int CHANGE_ROOM = 12;
    public static final int CHANGE_ROOM_REPLY = 13;
    public static final int SUB = 14;
    public static final int SUB_REPLY = 15;
    public static final int UNSUB = 16;
    public static final int UNSUB_REPLY = 17;
    /** Not goim's: a client's recover request, JSON (docs/recovery.md). */
    public static final int RECOVER = 18;
    /** Not goim's: the recover reply, JSON (docs/recovery.md). */
    public static final int RECOVER_REPLY = 19;
    /** Not goim's: user-stream messages (pushes by mids) to a connection that sent op 18; like op 9. */
    public static final int USER_RAW = 20;

    private Op() {}
}
