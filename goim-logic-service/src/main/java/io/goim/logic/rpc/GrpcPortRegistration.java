package io.goim.logic.rpc;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo.InstanceStatus;
import io.goim.proto.contract.DiscoveryMetadata;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.stereotype.Component;

/**
 * Tells comets where logic's gRPC API listens: the bound port goes into the Eureka metadata as
 * {@code grpc.port}, and only then is the instance marked UP (it registers as STARTING), so no
 * comet ever sees logic without its port. Works with port 0.
 */
@Component
class GrpcPortRegistration {
    static final String GRPC_PORT = DiscoveryMetadata.GRPC_PORT;
    private static final Logger log = LoggerFactory.getLogger(GrpcPortRegistration.class);

    private final ObjectProvider<ApplicationInfoManager> eureka;
    private volatile int grpcPort = -1;

    GrpcPortRegistration(ObjectProvider<ApplicationInfoManager> eureka) {
        this.eureka = eureka;
    }

    @EventListener
    void onGrpcStarted(GrpcServerStartedEvent event) {
        grpcPort = event.getPort();
        log.info("logic gRPC listening address={} port={}", event.getAddress(), grpcPort);
    }

    @EventListener
    void onReady(ApplicationReadyEvent event) {
        ApplicationInfoManager manager = eureka.getIfAvailable();
        if (manager == null) {
            return;
        }
        manager.registerAppMetadata(Map.of(GRPC_PORT, Integer.toString(grpcPort)));
        manager.setInstanceStatus(InstanceStatus.UP);
    }
}
