package io.goim.proto.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The history keys as they stand in Redis (docs/recovery.md, "Redis keys"): job writes and logic
 * reads them, and a running system's streams are lost when their spelling changes.
 */
class HistoryKeysTest {

    @Test
    void keysAreThePrefixAndTheStreamIdInAHashTag() {
        assertThat(HistoryKeys.key(HistoryKeys.ROOM_POSITION, "chat://1000"))
                .isEqualTo("goim_rs_{chat://1000}".getBytes(StandardCharsets.US_ASCII));
        assertThat(HistoryKeys.key(HistoryKeys.ROOM_HISTORY, "live://7"))
                .isEqualTo("goim_rh_{live://7}".getBytes(StandardCharsets.US_ASCII));
        assertThat(HistoryKeys.key(HistoryKeys.ROOM_REPLAYS, "chat://1"))
                .isEqualTo("goim_rk_{chat://1}".getBytes(StandardCharsets.US_ASCII));
        assertThat(HistoryKeys.key(HistoryKeys.USER_POSITION, "123"))
                .isEqualTo("goim_us_{123}".getBytes(StandardCharsets.US_ASCII));
        assertThat(HistoryKeys.key(HistoryKeys.USER_INBOX, "123"))
                .isEqualTo("goim_uh_{123}".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aRoomIdOutsideAsciiIsUtf8() {
        assertThat(HistoryKeys.key(HistoryKeys.ROOM_POSITION, "chat://房间")).isEqualTo(new byte[] {
            'g',
            'o',
            'i',
            'm',
            '_',
            'r',
            's',
            '_',
            '{',
            'c',
            'h',
            'a',
            't',
            ':',
            '/',
            '/',
            (byte) 0xe6,
            (byte) 0x88,
            (byte) 0xbf,
            (byte) 0xe9,
            (byte) 0x97,
            (byte) 0xb4,
            '}'
        });
    }

    @Test
    void aStreamsKeysShareOneHashTag() {
        for (List<String> prefixes : List.of(
                List.of(HistoryKeys.ROOM_POSITION, HistoryKeys.ROOM_HISTORY, HistoryKeys.ROOM_REPLAYS),
                List.of(HistoryKeys.USER_POSITION, HistoryKeys.USER_INBOX))) {
            Set<String> tags = new HashSet<>();
            for (String prefix : prefixes) {
                tags.add(hashTag(new String(HistoryKeys.key(prefix, "chat://a}b"), StandardCharsets.UTF_8)));
            }
            assertThat(tags).as("Redis Cluster hash tags of %s", prefixes).hasSize(1);
        }
    }

    @Test
    void epochsAreEightCharactersOfDigitsAndLowerCaseLettersAndDiffer() {
        Set<String> epochs = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String epoch = HistoryKeys.epoch();
            assertThat(epoch).hasSize(8).matches("[0-9a-z]{8}");
            epochs.add(epoch);
        }
        // 36^8 possible epochs: a thousand draws that collide point at a broken generator
        assertThat(epochs).hasSize(1000);
    }

    @Test
    void scriptArgumentsAreAsciiText() {
        assertThat(HistoryKeys.ascii("300000")).containsExactly('3', '0', '0', '0', '0', '0');
        assertThat(HistoryKeys.ascii("k3j9x1")).isEqualTo("k3j9x1".getBytes(StandardCharsets.US_ASCII));
    }

    /** What Redis Cluster hashes: the text between the first '{' and the next '}', when not empty. */
    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = key.indexOf('}', open + 1);
        return key.substring(open + 1, close);
    }
}
