package io.goim.comet.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.goim.comet.config.CometProperties;
import io.goim.comet.transport.IoLoops;
import io.goim.proto.logic.ConnectReq;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

    private LogicClient client() {
        when(factory.createChannel(anyString(), any())).thenAnswer(call -> {
            String target = call.getArgument(0);
            // a channel to a closed port: the calls fail, which is not what this test looks at
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", 1)
                    .usePlaintext()
                    .build();
            created.put(target, channel);
            all.add(channel);
            return channel;
        });
        CometProperties properties = new Binder(new MapConfigurationPropertySource(Map.of("goim.comet.server-id", "t")))
                .bindOrCreate("goim.comet", CometProperties.class);
        return new LogicClient(discovery, factory, loops, properties, new SimpleMeterRegistry());
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
}
