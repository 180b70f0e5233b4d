package io.goim.comet.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When the listeners stop and resume accepting, on plain Netty channels. */
class AcceptGateTest {
    private final AtomicInteger pauses = new AtomicInteger();
    private final AcceptGate gate = new AcceptGate(4, pauses::incrementAndGet);
    private final EmbeddedChannel server = new EmbeddedChannel();

    private List<EmbeddedChannel> accept(int n) {
        List<EmbeddedChannel> accepted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            gate.accepted(channel);
            accepted.add(channel);
        }
        return accepted;
    }

    @Test
    void stopsAcceptingAtMaxPendingAndResumesAtHalf() {
        gate.serve(server);
        List<EmbeddedChannel> accepted = accept(3);
        assertThat(server.config().isAutoRead()).isTrue();

        accepted.addAll(accept(1));
        assertThat(server.config().isAutoRead()).isFalse();
        assertThat(pauses).hasValue(1);
        assertThat(gate.pending()).isEqualTo(4);

        // one authenticated, one closed: 2 pending is half, accepting resumes
        gate.through(accepted.get(0));
        assertThat(server.config().isAutoRead()).isFalse();
        accepted.get(1).close();
        assertThat(gate.pending()).isEqualTo(2);
        assertThat(server.config().isAutoRead()).isTrue();
    }

    @Test
    void aConnectionCountsOnceWhateverEndsItsWait() {
        gate.serve(server);
        EmbeddedChannel channel = accept(1).get(0);
        gate.through(channel);
        gate.through(channel);
        channel.close();
        assertThat(gate.pending()).isZero();
    }

    @Test
    void zeroMeansNoBound() {
        AcceptGate unbounded = new AcceptGate(0, pauses::incrementAndGet);
        unbounded.serve(server);
        for (int i = 0; i < 100; i++) {
            unbounded.accepted(new EmbeddedChannel());
        }
        assertThat(server.config().isAutoRead()).isTrue();
        assertThat(pauses).hasValue(0);
    }
}
