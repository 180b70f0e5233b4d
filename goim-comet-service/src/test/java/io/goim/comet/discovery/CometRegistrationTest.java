package io.goim.comet.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo.InstanceStatus;
import io.goim.comet.config.TestProperties;
import io.goim.comet.session.Buckets;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class CometRegistrationTest {
    private final ApplicationInfoManager eureka = mock(ApplicationInfoManager.class);
    private final Listeners listeners = mock(Listeners.class);
    private final Connections connections = mock(Connections.class);

    private CometRegistration registration() {
        StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("eureka", eureka));
        when(listeners.ports()).thenReturn(Map.of(Transport.WEBSOCKET, 3102, Transport.TCP, 3101));
        when(connections.ipCount()).thenReturn(3);
        return new CometRegistration(
                beans.getBeanProvider(ApplicationInfoManager.class),
                TestProperties.comet(Map.of("goim.comet.server-id", "comet-7", "goim.comet.discovery.weight", "5")),
                listeners,
                connections,
                new Buckets(2));
    }

    @Test
    void metadataCarriesGoimsKeysAndTheBoundPorts() {
        Map<String, String> metadata = registration().metadata();

        assertThat(metadata)
                .containsEntry("server.id", "comet-7")
                .containsEntry("ws.port", "3102")
                .containsEntry("tcp.port", "3101")
                .containsEntry("weight", "5")
                .containsEntry("offline", "false")
                .containsEntry("conn_count", "0")
                .containsEntry("ip_count", "3")
                .containsKeys("grpc.port", "addrs");
    }

    @Test
    void refreshSendsTheMetadataOnlyWhenItChanged() {
        CometRegistration registration = registration();
        registration.onGrpcStarted(new org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent(
                mock(org.springframework.grpc.server.lifecycle.GrpcServerLifecycle.class),
                mock(io.grpc.Server.class),
                "127.0.0.1",
                3109));
        com.netflix.appinfo.InstanceInfo info = mock(com.netflix.appinfo.InstanceInfo.class);
        when(eureka.getInfo()).thenReturn(info);
        Map<String, String> registered = registration.metadata();
        when(info.getMetadata()).thenReturn(registered);

        registration.refresh();
        verify(eureka, org.mockito.Mockito.never()).registerAppMetadata(org.mockito.ArgumentMatchers.any());

        when(connections.ipCount()).thenReturn(4);
        registration.refresh();
        verify(eureka).registerAppMetadata(org.mockito.ArgumentMatchers.argThat(m -> "4".equals(m.get("ip_count"))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void stoppingMarksTheCometOfflineAndOutOfService() {
        CometRegistration registration = registration();

        registration.stop();

        ArgumentCaptor<Map<String, String>> metadata = ArgumentCaptor.forClass(Map.class);
        verify(eureka).registerAppMetadata(metadata.capture());
        assertThat(metadata.getValue()).containsEntry("offline", "true");
        verify(eureka).setInstanceStatus(InstanceStatus.OUT_OF_SERVICE);
        assertThat(registration.getPhase()).isGreaterThan(Listeners.PHASE);
    }
}
