package io.goim.job.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goim.job.config.JobProperties;
import io.goim.proto.comet.BroadcastRoomReply;
import io.goim.proto.comet.BroadcastRoomReq;
import io.goim.proto.comet.CometGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One comet's lane against a real gRPC server on loopback. */
class CometLaneTest {
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<BroadcastRoomReply>> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile boolean hold;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService completions = Executors.newVirtualThreadPerTaskExecutor();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        server = server(0);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .usePlaintext()
                .build();
    }

    private Server server(int port) throws Exception {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new CometGrpc.CometImplBase() {
                    @Override
                    public void broadcastRoom(BroadcastRoomReq request, StreamObserver<BroadcastRoomReply> reply) {
                        received.add(request.getRoomID());
                        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            reply.onError(Status.UNAVAILABLE.asRuntimeException());
                        } else if (hold) {
                            held.add(reply);
                        } else {
                            reply.onNext(BroadcastRoomReply.getDefaultInstance());
                            reply.onCompleted();
                        }
                    }
                })
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        timer.shutdownNow();
        completions.shutdownNow();
    }

    private CometLane lane(int capacity, int retries) {
        return lane(capacity, retries, 8);
    }

    private CometLane lane(int capacity, int retries, int lanes) {
        JobProperties.Comet settings = new JobProperties.Comet(
                "goim-comet",
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                capacity,
                retries,
                Duration.ofMillis(10),
                Duration.ofMillis(40),
                lanes,
                Duration.ofMillis(50));
        return new CometLane(
                new Comet("c1", "127.0.0.1:" + server.getPort(), channel), settings, meters, timer, completions);
    }

    /** A call with order key 0: the calls below keep to one lane unless they say otherwise. */
    private static CometCall room(String id) {
        return room(id, 0);
    }

    private static CometCall room(String id, int order) {
        BroadcastRoomReq request = BroadcastRoomReq.newBuilder().setRoomID(id).build();
        return new CometCall("BroadcastRoom", order, stub -> stub.broadcastRoom(request));
    }

    private void releaseHeld() {
        hold = false;
        for (StreamObserver<BroadcastRoomReply> reply : held) {
            reply.onNext(BroadcastRoomReply.getDefaultInstance());
            reply.onCompleted();
        }
        held.clear();
    }

    private void awaitReceived(int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() >= count);
    }

    /** Nothing more reaches the comet for a while. */
    private void staysAt(int count) {
        await().during(Duration.ofMillis(150)).atMost(Duration.ofSeconds(2)).until(() -> received.size() == count);
    }

    @Test
    void callsReachTheCometOneAtATimeInTheOrderTheyWereSubmitted() throws Exception {
        CometLane lane = lane(100, 0);
        hold = true;
        List<CompletableFuture<CallOutcome>> calls = new ArrayList<>();
        calls.add(lane.submit(room("r0")));
        awaitReceived(1);
        for (int i = 1; i < 20; i++) {
            calls.add(lane.submit(room("r" + i)));
        }
        // only the first is at the comet while its reply is held
        staysAt(1);
        assertThat(received).containsExactly("r0");

        releaseHeld();

        for (CompletableFuture<CallOutcome> call : calls) {
            assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("r" + i);
        }
        assertThat(received).containsExactlyElementsOf(expected);
    }

    @Test
    void callsWithOtherOrderKeysGoInParallelEachKeyInOrder() throws Exception {
        CometLane lane = lane(100, 0, 4);
        hold = true;
        List<CompletableFuture<CallOutcome>> calls = new ArrayList<>();
        // keys 0..3 pick the four lanes; 4..7 the same four again, behind the first ones
        for (int key = 0; key < 8; key++) {
            calls.add(lane.submit(room("k" + key, key)));
        }
        // one call of each lane is at the comet while its reply is held; the others wait
        awaitReceived(4);
        staysAt(4);
        assertThat(received).containsExactlyInAnyOrder("k0", "k1", "k2", "k3");

        releaseHeld();

        for (CompletableFuture<CallOutcome> call : calls) {
            assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        }
        assertThat(received).hasSize(8);
        for (int key = 0; key < 4; key++) {
            assertThat(received.indexOf("k" + key)).isLessThan(received.indexOf("k" + (key + 4)));
        }
    }

    @Test
    void aFullQueueRejectsAtOnceAndCountsIt() throws Exception {
        CometLane lane = lane(2, 0);
        hold = true;
        CompletableFuture<CallOutcome> first = lane.submit(room("a"));
        awaitReceived(1);
        CompletableFuture<CallOutcome> second = lane.submit(room("b"));
        CompletableFuture<CallOutcome> third = lane.submit(room("c"));
        CompletableFuture<CallOutcome> fourth = lane.submit(room("d"));

        assertThat(fourth).isCompletedWithValue(CallOutcome.FAILED);
        assertThat(meters.counter("goim.job.comet.rejected", "server", "c1").count())
                .isEqualTo(1.0);

        releaseHeld();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        assertThat(third.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        assertThat(received).containsExactly("a", "b", "c");
    }

    @Test
    void aFailedCallIsRetriedBeforeTheNextOneAndThenAccepted() throws Exception {
        CometLane lane = lane(100, 3);
        failNext.set(2);

        CompletableFuture<CallOutcome> first = lane.submit(room("x"));
        CompletableFuture<CallOutcome> second = lane.submit(room("y"));

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        assertThat(received).containsExactly("x", "x", "x", "y");
        assertThat(meters.counter("goim.job.comet.retries", "server", "c1").count())
                .isEqualTo(2.0);
    }

    @Test
    void aCallThatKeepsFailingIsGivenUpAndTheNextOneGoes() throws Exception {
        CometLane lane = lane(100, 1);
        failNext.set(2);

        CompletableFuture<CallOutcome> first = lane.submit(room("x"));
        CompletableFuture<CallOutcome> second = lane.submit(room("y"));

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.FAILED);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        assertThat(received).containsExactly("x", "x", "y");
        assertThat(lane.down())
                .as("a comet that answers, even with errors, is not down")
                .isFalse();
    }

    @Test
    void aCometThatCannotBeConnectedToIsSkippedUntilItConnectsAgain() throws Exception {
        CometLane lane = lane(100, 3);
        assertThat(lane.submit(room("before")).get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        int port = server.getPort();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        // the comet is gone: its calls end UNREACHABLE (not FAILED, which would be dead-lettered)
        List<CompletableFuture<CallOutcome>> during = new ArrayList<>();
        for (int key = 0; key < 10; key++) {
            during.add(lane.submit(room("during" + key, key)));
        }
        for (CompletableFuture<CallOutcome> call : during) {
            assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.UNREACHABLE);
        }
        assertThat(lane.down()).isTrue();
        // and from now on at once, without a try
        assertThat(lane.submit(room("skipped"))).isCompletedWithValue(CallOutcome.UNREACHABLE);
        assertThat(meters.counter("goim.job.comet.unreachable", "server", "c1").count())
                .isEqualTo(11.0);
        assertThat(meters.get("goim.job.comet.up").gauge().value()).isEqualTo(0.0);

        // back on the same address: the probe finds it and the calls go again
        server = server(port);
        await().atMost(Duration.ofSeconds(5)).until(() -> !lane.down());
        assertThat(meters.get("goim.job.comet.up").gauge().value()).isEqualTo(1.0);
        assertThat(lane.submit(room("after")).get(5, TimeUnit.SECONDS)).isEqualTo(CallOutcome.ACCEPTED);
        assertThat(received).containsExactly("before", "after");
    }

    @Test
    void closingEndsTheRunningAndQueuedCallsWithTheGivenOutcome() throws Exception {
        CometLane lane = lane(100, 0);
        hold = true;
        CompletableFuture<CallOutcome> running = lane.submit(room("a"));
        awaitReceived(1);
        CompletableFuture<CallOutcome> queued = lane.submit(room("b"));

        lane.close(CallOutcome.ABANDONED);

        assertThat(running).isCompletedWithValue(CallOutcome.ABANDONED);
        assertThat(queued).isCompletedWithValue(CallOutcome.ABANDONED);
        assertThat(lane.submit(room("c"))).isCompletedWithValue(CallOutcome.ABANDONED);
        releaseHeld();
        staysAt(1);
        assertThat(received).containsExactly("a");
    }
}
