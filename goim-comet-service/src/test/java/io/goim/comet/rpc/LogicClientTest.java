package io.goim.comet.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.goim.comet.config.CometProperties;
import io.goim.comet.transport.IoLoops;
import io.goim.proto.logic.ConnectReply;
import io.goim.proto.logic.ConnectReq;
import io.goim.proto.logic.LogicGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.grpc.client.GrpcChannelFactory;

/** Which channels LogicClient keeps as logic instances come and go in discovery. */
class LogicClientTest {
    private final DiscoveryClient discovery = mock(DiscoveryClient.class);
    private final GrpcChannelFactory factory = mock(GrpcChannelFactory.class);
    private final Map<String, ManagedChannel> created = new HashMap<>();
    private final List<ManagedChannel> all = new ArrayList<>();
    private final IoLoops loops = new IoLoops(1);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private LogicClient client() {
        when(factory.createChannel(anyString(), any())).thenAnswer(call -> {
            String target = call.getArgument(0);
            // the listed port on this machine: ports 1 and 2 are closed, the calls fail
            int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .usePlaintext()
                    .build();
            created.put(target, channel);
            all.add(channel);
            return channel;
        });
        CometProperties properties = new Binder(new MapConfigurationPropertySource(Map.of("goim.comet.server-id", "t")))
                .bindOrCreate("goim.comet", CometProperties.class);
        return new LogicClient(discovery, factory, loops, properties, meters);
    }

    private void listed(String... ports) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (String port : ports) {
            DefaultServiceInstance instance =
                    new DefaultServiceInstance("logic-" + port, "goim-logic", "10.0.0.1", 3111, false);
            instance.getMetadata().put(LogicClient.GRPC_PORT, port);
            instances.add(instance);
        }
        when(discovery.getInstances("goim-logic")).thenReturn(instances);
    }

    @AfterEach
    void close() throws InterruptedException {
        for (ManagedChannel channel : all) {
            channel.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
        }
        loops.destroy();
    }

    @Test
    void shutsDownTheChannelOfALogicThatLeftAndKeepsTheOthers() throws Exception {
        LogicClient client = client();
        listed("1");
        client.connect(ConnectReq.getDefaultInstance(), () -> true)
                .handle((r, e) -> null)
                .get(5, TimeUnit.SECONDS);
        ManagedChannel first = created.get("static://10.0.0.1:1");
        assertThat(first).isNotNull();

        listed("2");
        client.connect(ConnectReq.getDefaultInstance(), () -> true)
                .handle((r, e) -> null)
                .get(5, TimeUnit.SECONDS);

        assertThat(first.isShutdown()).isTrue();
        assertThat(created.get("static://10.0.0.1:2").isShutdown()).isFalse();
    }

    @Test
    void keepsItsChannelsWhenDiscoveryListsNoLogic() throws Exception {
        LogicClient client = client();
        listed("1");
        client.connect(ConnectReq.getDefaultInstance(), () -> true)
                .handle((r, e) -> null)
                .get(5, TimeUnit.SECONDS);

        listed();
        Throwable refused = client.connect(ConnectReq.getDefaultInstance(), () -> true)
                .handle((r, e) -> e)
                .get(5, TimeUnit.SECONDS);

        assertThat(refused).hasMessageContaining("no goim-logic instance");
        assertThat(created.get("static://10.0.0.1:1").isShutdown()).isFalse();
    }

    @Test
    void aStormWhoseClientsLeftWhileTheirConnectsWaitedEndsAndGivesEveryPlaceBack() throws Exception {
        // a logic that accepts connections and never answers (hung, or killed as the storm came): the
        // first 64 Connects hold every place until their deadline, and the clients of the thousands
        // queued behind them leave meanwhile (comet's handshake timeout); each of those ends at once
        // when its turn comes. CallAdmissionTest shows how that used to overflow the stack; this is
        // the same through a real gRPC channel
        try (ServerSocket silent = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress())) {
            LogicClient client = client();
            listed(Integer.toString(silent.getLocalPort()));
            AtomicBoolean clientsThere = new AtomicBoolean(true);
            List<CompletableFuture<Throwable>> storm = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                storm.add(client.connect(ConnectReq.getDefaultInstance(), () -> true)
                        .handle((r, e) -> e));
            }
            for (int i = 0; i < 10_000; i++) {
                storm.add(client.connect(ConnectReq.getDefaultInstance(), clientsThere::get)
                        .handle((r, e) -> e));
            }
            clientsThere.set(false);

            CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            assertThat(storm).allSatisfy(call -> assertThat(call.join()).isNotNull());
            assertThat(meters.get("goim.comet.logic.in.flight").gauge().value()).isZero();
            assertThat(meters.get("goim.comet.logic.waiting").gauge().value()).isZero();
        }
    }

    /** A logic that answers every Connect. */
    private static io.grpc.Server logicOn(int port) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .addService(new LogicGrpc.LogicImplBase() {
                    @Override
                    public void connect(ConnectReq request, StreamObserver<ConnectReply> reply) {
                        reply.onNext(ConnectReply.newBuilder().setMid(7).build());
                        reply.onCompleted();
                    }
                })
                .build()
                .start();
    }

    private static boolean connects(LogicClient client) {
        try {
            return client.connect(ConnectReq.getDefaultInstance(), () -> true)
                            .get(5, TimeUnit.SECONDS)
                            .getMid()
                    == 7;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aLogicRestartedAtTheSameAddressIsCalledAgainWithinSecondsNotAfterGrpcsBackoff() throws Exception {
        io.grpc.Server logic = logicOn(0);
        int port = logic.getPort();
        LogicClient client = client();
        listed(Integer.toString(port));
        assertThat(connects(client)).isTrue();

        // killed: calls fail while the channel's reconnect backoff grows (1 s, 1.6 s, 2.6 s, 4.1 s, ...)
        logic.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        await().during(Duration.ofSeconds(8))
                .atMost(Duration.ofSeconds(12))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !connects(client));

        logic = logicOn(port);
        try {
            // dialled again on the next calls, not when a backoff of several seconds ends
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> connects(client));
        } finally {
            logic.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
