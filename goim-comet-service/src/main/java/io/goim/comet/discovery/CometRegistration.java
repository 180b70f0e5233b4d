package io.goim.comet.discovery;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo.InstanceStatus;
import io.goim.comet.config.CometProperties;
import io.goim.comet.session.Buckets;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.Listeners;
import io.goim.comet.transport.Transport;
import io.goim.proto.contract.DiscoveryMetadata;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * goim's comet metadata in Eureka (contract section 7): server id, weight, offline, addrs,
 * conn_count and ip_count (refreshed), the gRPC port job calls and the client ports. The instance
 * registers as STARTING and turns UP only once the bound ports are in the metadata, so job never
 * sees a comet without them. On shutdown it is marked offline (and OUT_OF_SERVICE) first, before the
 * listeners drain, so that logic stops handing it to clients and job stops pushing to it.
 */
@Component
class CometRegistration implements SmartLifecycle {
    static final String SERVER_ID = DiscoveryMetadata.SERVER_ID;
    static final String GRPC_PORT = DiscoveryMetadata.GRPC_PORT;
    private static final Logger log = LoggerFactory.getLogger(CometRegistration.class);

    private final ObjectProvider<ApplicationInfoManager> eureka;
    private final CometProperties properties;
    private final Listeners listeners;
    private final Connections connections;
    private final Buckets buckets;
    private volatile int grpcPort = -1;
    private volatile boolean offline;
    private volatile boolean running;

    CometRegistration(
            ObjectProvider<ApplicationInfoManager> eureka,
            CometProperties properties,
            Listeners listeners,
            Connections connections,
            Buckets buckets) {
        this.eureka = eureka;
        this.properties = properties;
        this.listeners = listeners;
        this.connections = connections;
        this.buckets = buckets;
        this.offline = properties.discovery().offline();
    }

    @EventListener
    void onGrpcStarted(GrpcServerStartedEvent event) {
        grpcPort = event.getPort();
        log.info("comet gRPC listening address={} port={}", event.getAddress(), grpcPort);
    }

    @EventListener
    void onReady(ApplicationReadyEvent event) {
        ApplicationInfoManager manager = eureka.getIfAvailable();
        if (manager == null) {
            return;
        }
        manager.registerAppMetadata(metadata());
        manager.setInstanceStatus(InstanceStatus.UP);
        log.info("comet registered server={} metadata={}", properties.server(), metadata());
    }

    /**
     * conn_count and ip_count change all the time; Eureka gets them at its next replication. Only a
     * change is sent: each one costs a re-registration.
     */
    @Scheduled(fixedDelayString = "${goim.comet.discovery.refresh:2s}")
    void refresh() {
        ApplicationInfoManager manager = eureka.getIfAvailable();
        if (manager == null || grpcPort < 0) {
            return;
        }
        Map<String, String> now = metadata();
        if (!now.equals(manager.getInfo().getMetadata())) {
            manager.registerAppMetadata(now);
        }
    }

    Map<String, String> metadata() {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(SERVER_ID, properties.server());
        int advertised = properties.discovery().grpcPort();
        metadata.put(GRPC_PORT, Integer.toString(advertised > 0 ? advertised : grpcPort));
        listeners.ports().forEach((transport, port) -> metadata.put(portKey(transport), Integer.toString(port)));
        metadata.put("weight", Integer.toString(properties.discovery().weight()));
        metadata.put("offline", Boolean.toString(offline));
        metadata.put("addrs", properties.discovery().addrs());
        metadata.put("conn_count", Integer.toString(buckets.connectionCount()));
        metadata.put("ip_count", Integer.toString(connections.ipCount()));
        return metadata;
    }

    private static String portKey(Transport transport) {
        return transport.tag() + ".port";
    }

    @Override
    public void start() {
        running = true;
    }

    /** First step of the drain: hide this comet from clients (offline) and from job (status). */
    @Override
    public void stop() {
        running = false;
        offline = true;
        ApplicationInfoManager manager = eureka.getIfAvailable();
        if (manager != null) {
            manager.registerAppMetadata(metadata());
            // a status change is replicated to Eureka at once, with the metadata
            manager.setInstanceStatus(InstanceStatus.OUT_OF_SERVICE);
            log.info("comet marked offline server={}", properties.server());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Listeners.PHASE + 10;
    }
}
