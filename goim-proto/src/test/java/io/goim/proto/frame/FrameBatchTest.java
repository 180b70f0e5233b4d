package io.goim.proto.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBatchTest {
    @Test
    void laysWholeInnerFramesBackToBack() {
        byte[] body = new FrameBatch()
                .add(1000, "first".getBytes(StandardCharsets.UTF_8))
                .add(1001, new byte[0])
                .add(1002, "third".getBytes(StandardCharsets.UTF_8))
                .toByteArray();

        List<Frame> inner = Frames.decodeAll(body);
        assertThat(inner).extracting(Frame::op).containsExactly(1000, 1001, 1002);
        assertThat(inner).extracting(Frame::ver).containsOnly(1);
        assertThat(inner).extracting(Frame::seq).containsOnly(0);
        assertThat(inner.get(0).content().toString(StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(inner.get(2).content().toString(StandardCharsets.UTF_8)).isEqualTo("third");
        assertThat(body).hasSize(16 * 3 + 5 + 5);
    }

    @Test
    void ofIsOneInnerFrame() {
        byte[] body = FrameBatch.of(1000, "hi".getBytes(StandardCharsets.UTF_8));

        assertThat(body).isEqualTo(Frames.encode(1, 1000, 0, "hi".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void countsItsFrames() {
        assertThat(new FrameBatch().add(1, new byte[1]).add(2, new byte[2]).size())
                .isEqualTo(2);
    }

    @Test
    void decodeAllRejectsBytesThatEndInsideAFrame() {
        byte[] whole = FrameBatch.of(1000, "hello".getBytes(StandardCharsets.UTF_8));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);

        assertThatThrownBy(() -> Frames.decodeAll(cut))
                .isInstanceOfSatisfying(
                        FrameDecodeException.class,
                        e -> assertThat(e.error()).isEqualTo(FrameError.MESSAGE_SHORTER_THAN_PACK_LENGTH));
    }
}
