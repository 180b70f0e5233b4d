package io.goim.comet.discovery;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo.InstanceStatus;
import io.goim.comet.config.CometProperties;
import io.goim.comet.session.Buckets;
import io.goim.comet.transport.websocket.WebSocketServer;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.stereotype.Component;

/**
 * Puts goim's comet metadata into Eureka (contract section 7): server id, weight, offline, addrs,
 * conn_count, the gRPC port job calls and the client ports. The instance registers as STARTING and
 * turns UP only once the bound ports are in the metadata, so job never sees a comet without them.
 */
@Component
class CometRegistration {
    static final String SERVER_ID = "server.id";
    static final String GRPC_PORT = "grpc.port";
    static final String WS_PORT = "ws.port";
    private static final Logger log = LoggerFactory.getLogger(CometRegistration.class);

    private final ObjectProvider<ApplicationInfoManager> eureka;
    private final CometProperties properties;
    private final WebSocketServer webSocket;
    private final Buckets buckets;
    private volatile int grpcPort = -1;

    CometRegistration(
            ObjectProvider<ApplicationInfoManager> eureka,
            CometProperties properties,
            WebSocketServer webSocket,
            Buckets buckets) {
        this.eureka = eureka;
        this.properties = properties;
        this.webSocket = webSocket;
        this.buckets = buckets;
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
        log.info("comet registered server={} grpcPort={} wsPort={}", properties.server(), grpcPort, webSocket.port());
    }

    Map<String, String> metadata() {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(SERVER_ID, properties.server());
        metadata.put(GRPC_PORT, Integer.toString(grpcPort));
        metadata.put(WS_PORT, Integer.toString(webSocket.port()));
        metadata.put("weight", Integer.toString(properties.discovery().weight()));
        metadata.put("offline", Boolean.toString(properties.discovery().offline()));
        metadata.put("addrs", properties.discovery().addrs());
        metadata.put("conn_count", Integer.toString(buckets.connectionCount()));
        return metadata;
    }
}
