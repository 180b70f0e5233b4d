package io.goim.logic.history;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.goim.proto.frame.Frame;
import io.goim.proto.frame.Frames;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a recover and the HTTP API answer from a stream's stored messages (docs/recovery.md). */
class StreamSnapshotTest {
    /** Epoch e1 at offset 10, messages 6..10 kept (size 5). */
    private final StreamSnapshot stream = snapshot("e1", 10, 6, 7, 8, 9, 10);

    @Test
    void recoversEveryMessageAfterTheClientsOffsetInOrder() {
        StreamSnapshot.Recovery recovery = stream.recover("e1", 7);
        assertThat(recovery.recovered()).isTrue();
        assertThat(recovery.offset()).isEqualTo(10);
        assertThat(recovery.count()).isEqualTo(3);
        assertThat(Frames.decodeAll(recovery.frames()))
                .extracting(f -> {
                    String seen = f.seq() + ":" + f.content().toString(UTF_8);
                    f.release();
                    return seen;
                })
                .containsExactly("8:m8", "9:m9", "10:m10");
    }

    @Test
    void aClientAtTheCurrentOffsetIsRecoveredWithNothingToSend() {
        StreamSnapshot.Recovery recovery = stream.recover("e1", 10);
        assertThat(recovery.recovered()).isTrue();
        assertThat(recovery.count()).isZero();
    }

    @Test
    void notRecoveredWithTheCurrentPosition() {
        // older than the oldest kept, another epoch, no position, ahead of the stream
        for (StreamSnapshot.Recovery recovery : List.of(
                stream.recover("e1", 4), stream.recover("e0", 8), stream.recover("", 0), stream.recover("e1", 11))) {
            assertThat(recovery.recovered()).isFalse();
            assertThat(recovery.epoch()).isEqualTo("e1");
            assertThat(recovery.offset()).isEqualTo(10);
            assertThat(recovery.frames()).isEmpty();
        }
        // the oldest kept is 6: a client at 5 misses nothing that is gone
        assertThat(stream.recover("e1", 5).recovered()).isTrue();
        // a hole in what is kept (size changed between 0 and more): not recovered, never a gap
        assertThat(snapshot("e1", 10, 6, 7, 9, 10).recover("e1", 5).recovered()).isFalse();
    }

    @Test
    void thePageIsLimitedAndSaysWhetherItIsComplete() {
        HistoryPage page = stream.page(null, 6, 2);
        assertThat(page.recovered()).isTrue();
        assertThat(page.offset()).isEqualTo(10);
        assertThat(page.messages()).extracting(HistoryPage.Message::offset).containsExactly(7L, 8L);
        assertThat(page.messages().getFirst().op()).isEqualTo(1000);
        assertThat(new String(page.messages().getFirst().body(), UTF_8)).isEqualTo("m7");

        assertThat(stream.page(null, 2, 100).recovered()).isFalse();
        HistoryPage otherEpoch = stream.page("e0", 8, 100);
        assertThat(otherEpoch.recovered()).isFalse();
        assertThat(otherEpoch.messages()).hasSize(5);
        assertThat(StreamSnapshot.NONE.page(null, 0, 10).epoch()).isEmpty();
    }

    private static StreamSnapshot snapshot(String epoch, long offset, int... kept) {
        List<byte[]> frames = new ArrayList<>();
        for (int seq : kept) {
            frames.add(Frames.encode(Frame.VERSION, 1000, seq, ("m" + seq).getBytes(UTF_8)));
        }
        return new StreamSnapshot(epoch, offset, frames);
    }
}
