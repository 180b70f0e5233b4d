package io.goim.comet.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.proto.frame.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FanoutTest {
    private final List<ByteBuf> written = new ArrayList<>();
    private final AtomicInteger encodings = new AtomicInteger();

    @Test
    void oneTaskAndOneEncodingPerEventLoopAndEveryChannelSharesThePayload() {
        QueueExecutor loopA = new QueueExecutor();
        QueueExecutor loopB = new QueueExecutor();
        Fanout fanout = new Fanout();
        for (int i = 0; i < 5; i++) {
            fanout.add(channel(i % 2 == 0 ? loopA : loopB));
        }
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[] {1, 2, 3});
        AtomicLong took = new AtomicLong(-1);

        fanout.write(new Frame(1, 9, 0, body), took::set);

        assertThat(loopA.tasks).hasSize(1);
        assertThat(loopB.tasks).hasSize(1);
        loopA.runAll();
        assertThat(took.get()).as("not done before the last event loop wrote").isEqualTo(-1);
        loopB.runAll();
        assertThat(took.get()).isNotNegative();
        assertThat(encodings.get())
                .as("encoded once per event loop, not per channel")
                .isEqualTo(2);
        assertThat(written).hasSize(5);
        for (ByteBuf each : written) {
            // a duplicate, not a copy: the same memory as the encoded body
            assertThat(sameMemory(each, body)).isTrue();
        }
        // derived buffers hold the payload until the last recipient's write released its duplicate
        written.subList(0, 4).forEach(ByteBuf::release);
        assertThat(body.refCnt()).isPositive();
        written.get(4).release();
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void onAnEventLoopThatOwnsChannelsItWritesThemAtOnceAfterHandingTheOtherLoopsTheirShare() throws Exception {
        DefaultEventExecutor loopA = new DefaultEventExecutor();
        QueueExecutor loopB = new QueueExecutor();
        try {
            List<Integer> otherLoopTasksAtEachWrite = new ArrayList<>();
            Fanout fanout = new Fanout();
            for (int i = 0; i < 4; i++) {
                fanout.add(
                        i % 2 == 0
                                ? channel(loopA, () -> otherLoopTasksAtEachWrite.add(loopB.tasks.size()))
                                : channel(loopB));
            }
            ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[] {1, 2, 3});

            int writtenOnReturn = loopA.submit(() -> {
                        fanout.write(new Frame(1, 9, 0, body));
                        return written.size();
                    })
                    .get(5, TimeUnit.SECONDS);

            assertThat(writtenOnReturn)
                    .as("loop A's two channels, written on the calling thread")
                    .isEqualTo(2);
            assertThat(otherLoopTasksAtEachWrite)
                    .as("loop B had its task first")
                    .containsExactly(1, 1);
            loopB.runAll();
            assertThat(written).hasSize(4);
            written.forEach(ByteBuf::release);
            assertThat(body.refCnt()).isZero();
        } finally {
            loopA.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLiveSetIsReadWhenItsEventLoopWritesOneTaskAndOneEncodingPerLoop() {
        QueueExecutor loopA = new QueueExecutor();
        QueueExecutor loopB = new QueueExecutor();
        Set<Channel> roomOnA = ConcurrentHashMap.newKeySet();
        Channel leaves = channel(loopA);
        roomOnA.add(channel(loopA));
        roomOnA.add(leaves);
        Set<Channel> roomOnB = ConcurrentHashMap.newKeySet();
        roomOnB.add(channel(loopB));
        Fanout fanout = new Fanout(true);
        fanout.addAll(loopA, roomOnA);
        fanout.addAll(loopB, roomOnB);
        fanout.add(channel(loopA));
        assertThat(fanout.size()).isEqualTo(4);
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[] {1, 2, 3});

        fanout.write(new Frame(1, 9, 0, body));
        assertThat(loopA.tasks).hasSize(1);
        assertThat(loopB.tasks).hasSize(1);
        assertThat(written)
                .as("nothing read from the sets before their loops run")
                .isEmpty();
        // between the push and loop A's turn, one channel leaves the room and two join it
        roomOnA.remove(leaves);
        roomOnA.add(channel(loopA));
        roomOnA.add(channel(loopA));
        loopA.runAll();
        loopB.runAll();

        assertThat(written)
                .as("loop A: its one added channel and the three in its set then; loop B: one")
                .hasSize(5);
        assertThat(encodings.get()).isEqualTo(2);
        written.forEach(ByteBuf::release);
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

    private Channel channel(Executor executor) {
        return channel(executor, () -> {});
    }

    private Channel channel(Executor executor, Runnable onWrite) {
        return new Channel(1, "k" + System.nanoTime(), "", List.of(), "ip", new Channel.Outbound() {
            @Override
            public boolean write(Frame frame) {
                throw new AssertionError("a fan-out writes encoded bytes");
            }

            @Override
            public Object encodingKey() {
                return "test-transport";
            }

            @Override
            public ByteBuf encode(Frame frame) {
                encodings.incrementAndGet();
                return frame.content().retainedDuplicate();
            }

            @Override
            public boolean writeEncoded(ByteBuf wire) {
                onWrite.run();
                written.add(wire);
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
