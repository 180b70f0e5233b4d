package io.goim.comet.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which connections are set up at once, which are parked and started later, on plain Netty channels. */
class AcceptGateTest {
    private final AtomicInteger pauses = new AtomicInteger();
    private final AcceptGate gate = new AcceptGate(4, 6, pauses::incrementAndGet);
    private final EmbeddedChannel server = new EmbeddedChannel();
    private final List<EmbeddedChannel> started = new CopyOnWriteArrayList<>();

    /** n connections accepted; those let through at once are in {@code started}, the others when started. */
    private List<EmbeddedChannel> accept(AcceptGate on, int n) {
        List<EmbeddedChannel> accepted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            if (on.accepted(channel, () -> started.add(channel))) {
                started.add(channel);
            }
            accepted.add(channel);
        }
        return accepted;
    }

    /** Runs what was handed to the connections' event loops (the start of a parked one). */
    private static void runLoops(List<EmbeddedChannel> channels) {
        channels.forEach(EmbeddedChannel::runPendingTasks);
    }

    @Test
    void beyondMaxPendingConnectionsAreParkedAndStartedInTheOrderTheyCame() {
        gate.serve(server);
        List<EmbeddedChannel> accepted = accept(gate, 7);

        assertThat(started).containsExactlyElementsOf(accepted.subList(0, 4));
        assertThat(gate.pending()).isEqualTo(4);
        assertThat(gate.parked()).isEqualTo(3);
        assertThat(accepted.get(4).config().isAutoRead())
                .as("nothing read while parked")
                .isFalse();
        assertThat(server.config().isAutoRead()).as("still accepting").isTrue();

        // one authenticated, one closed: the two oldest parked start, in order, and read
        gate.through(accepted.get(0));
        accepted.get(1).close();
        runLoops(accepted);
        assertThat(started).containsExactlyElementsOf(accepted.subList(0, 6));
        assertThat(accepted.get(4).config().isAutoRead()).isTrue();
        assertThat(gate.pending()).isEqualTo(4);
        assertThat(gate.parked()).isEqualTo(1);
    }

    @Test
    void aParkedConnectionClosedBeforeItsTurnIsSkipped() {
        List<EmbeddedChannel> accepted = accept(gate, 6);
        accepted.get(4).close();

        gate.through(accepted.get(0));
        runLoops(accepted);

        assertThat(started)
                .containsExactly(accepted.get(0), accepted.get(1), accepted.get(2), accepted.get(3), accepted.get(5));
        assertThat(gate.parked()).isZero();
        assertThat(gate.pending()).isEqualTo(4);
    }

    @Test
    void stopsAcceptingAtMaxParkedAndResumesAtHalf() {
        gate.serve(server);
        List<EmbeddedChannel> accepted = accept(gate, 4 + 5);
        assertThat(server.config().isAutoRead()).isTrue();

        accepted.addAll(accept(gate, 1));
        assertThat(gate.parked()).isEqualTo(6);
        assertThat(server.config().isAutoRead()).isFalse();
        assertThat(pauses).hasValue(1);

        // three of the pending through: three parked start, 3 left parked is half, accepting resumes
        gate.through(accepted.get(0));
        gate.through(accepted.get(1));
        assertThat(server.config().isAutoRead()).isFalse();
        gate.through(accepted.get(2));
        assertThat(gate.parked()).isEqualTo(3);
        assertThat(server.config().isAutoRead()).isTrue();
    }

    @Test
    void aConnectionCountsOnceWhateverEndsItsWait() {
        EmbeddedChannel channel = accept(gate, 1).get(0);
        gate.through(channel);
        gate.through(channel);
        channel.close();
        assertThat(gate.pending()).isZero();
    }

    @Test
    void zeroMeansNoBound() {
        AcceptGate unbounded = new AcceptGate(0, 0, pauses::incrementAndGet);
        unbounded.serve(server);
        List<EmbeddedChannel> accepted = accept(unbounded, 100);
        assertThat(started).containsExactlyElementsOf(accepted);
        assertThat(unbounded.parked()).isZero();
        assertThat(unbounded.pending()).isEqualTo(100);
        assertThat(server.config().isAutoRead()).isTrue();
        assertThat(pauses).hasValue(0);

        accepted.forEach(EmbeddedChannel::close);
        assertThat(unbounded.pending()).isZero();
    }
}
