package io.goim.proto.contract;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Redis keys of the history streams (issue 15, docs/recovery.md "Redis keys") and the spelling
 * of the arguments their scripts take: job numbers and stores room messages under these keys, logic
 * stores the user inboxes and reads both, so the two services must spell them alike.
 */
public final class HistoryKeys {
    /** A room's position: hash {@code e} epoch, {@code o} offset, {@code p}/{@code k} last Kafka record. */
    public static final String ROOM_POSITION = "goim_rs_";

    /** A room's last messages: list of inner frames whose seq is the room offset. */
    public static final String ROOM_HISTORY = "goim_rh_";

    /** A room's replay window: sorted set Kafka offset (score) to room offset (member). */
    public static final String ROOM_REPLAYS = "goim_rk_";

    /** A user's (mid's) position: hash {@code e} epoch, {@code o} offset. */
    public static final String USER_POSITION = "goim_us_";

    /** A user's inbox: list of inner frames whose seq is the user offset. */
    public static final String USER_INBOX = "goim_uh_";

    private static final char[] EPOCH_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int EPOCH_LENGTH = 8;

    private HistoryKeys() {}

    /**
     * {@code prefix{id}} in UTF-8, {@code id} a room id ({@code type://id}) or a mid: the hash tag
     * keeps a stream's keys in one Redis Cluster slot, so that one script call can touch them all.
     */
    public static byte[] key(String prefix, String id) {
        return (prefix + '{' + id + '}').getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A new epoch, offered to a script that creates a stream's position (it keeps the stored one when
     * there is one): eight random characters of {@code [0-9a-z]}, opaque to clients.
     */
    public static String epoch() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] epoch = new char[EPOCH_LENGTH];
        for (int i = 0; i < epoch.length; i++) {
            epoch[i] = EPOCH_CHARS[random.nextInt(EPOCH_CHARS.length)];
        }
        return new String(epoch);
    }

    /** A script argument as the scripts read it: numbers and epochs as US-ASCII text. */
    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
