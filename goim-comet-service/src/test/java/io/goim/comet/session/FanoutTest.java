package io.goim.comet.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.proto.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class FanoutTest {
    @Test
    void oneTaskPerExecutorAndEveryChannelSharesTheSamePayload() {
        QueueExecutor loopA = new QueueExecutor();
        QueueExecutor loopB = new QueueExecutor();
        List<Frame> written = new ArrayList<>();
        Fanout fanout = new Fanout();
        for (int i = 0; i < 5; i++) {
            fanout.add(channel(i % 2 == 0 ? loopA : loopB, written));
        }
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[] {1, 2, 3});
        Frame frame = new Frame(1, 9, 0, body);

        java.util.concurrent.atomic.AtomicLong took = new java.util.concurrent.atomic.AtomicLong(-1);
        fanout.write(frame, took::set);

        assertThat(loopA.tasks).hasSize(1);
        assertThat(loopB.tasks).hasSize(1);
        loopA.runAll();
        assertThat(took.get()).as("not done before the last event loop wrote").isEqualTo(-1);
        loopB.runAll();
        assertThat(took.get()).isNotNegative();
        assertThat(written).hasSize(5);
        for (Frame each : written) {
            // a duplicate, not a copy: the same memory as the encoded body
            assertThat(sameMemory(each.content(), body)).isTrue();
        }
        // derived buffers hold the payload until the last recipient releases its duplicate
        written.subList(0, 4).forEach(Frame::release);
        assertThat(body.refCnt()).isPositive();
        written.get(4).release();
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void anEmptyFanoutReleasesTheFrame() {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer().writeByte(1);

        new Fanout().write(new Frame(1, 9, 0, body));

        assertThat(body.refCnt()).isZero();
    }

    private static boolean sameMemory(ByteBuf a, ByteBuf b) {
        return a.hasMemoryAddress() && b.hasMemoryAddress()
                ? a.memoryAddress() + a.readerIndex() == b.memoryAddress() + b.readerIndex()
                : a.hasArray() && b.hasArray() && a.array() == b.array();
    }

    private static Channel channel(Executor executor, List<Frame> written) {
        return new Channel(
                1, "k" + written.hashCode() + System.nanoTime(), "", List.of(), "ip", new Channel.Outbound() {
                    @Override
                    public boolean write(Frame frame) {
                        written.add(frame);
                        return true;
                    }

                    @Override
                    public Executor executor() {
                        return executor;
                    }

                    @Override
                    public void close(CloseReason reason) {}
                });
    }

    private static final class QueueExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            tasks.forEach(Runnable::run);
        }
    }
}
