package io.goim.job.fanout;

import io.goim.job.config.JobProperties;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The comets that Eureka lists, by server id, each with one reused gRPC channel. Comets are picked
 * up and dropped as Eureka's view changes, without a restart (contract section 7: a comet registers
 * its server id and gRPC port as metadata).
 */
@Component
public class CometRegistry implements DisposableBean {
    static final String SERVER_ID = "server.id";
    static final String GRPC_PORT = "grpc.port";
    private static final Logger log = LoggerFactory.getLogger(CometRegistry.class);

    private final DiscoveryClient discovery;
    private final GrpcChannelFactory channels;
    private final String serviceId;
    private final Map<String, Comet> comets = new ConcurrentHashMap<>();

    CometRegistry(DiscoveryClient discovery, GrpcChannelFactory channels, JobProperties properties) {
        this.discovery = discovery;
        this.channels = channels;
        this.serviceId = properties.comet().serviceId();
    }

    Optional<Comet> comet(String server) {
        return Optional.ofNullable(comets.get(server));
    }

    /** Server id → gRPC address of the comets known now. */
    public Map<String, String> addresses() {
        Map<String, String> view = new HashMap<>();
        comets.forEach((server, comet) -> view.put(server, comet.address()));
        return view;
    }

    /** Eureka fetched its registry: look again at once. */
    @EventListener(HeartbeatEvent.class)
    void onRegistryFetched() {
        refresh();
    }

    @Scheduled(fixedDelayString = "${goim.job.comet.refresh}")
    synchronized void refresh() {
        Map<String, String> seen = new HashMap<>();
        for (ServiceInstance instance : discovery.getInstances(serviceId)) {
            String server = instance.getMetadata().get(SERVER_ID);
            String port = instance.getMetadata().get(GRPC_PORT);
            if (server == null || port == null) {
                continue;
            }
            seen.put(server, instance.getHost() + ":" + port);
        }
        seen.forEach((server, address) -> {
            Comet known = comets.get(server);
            if (known == null || !known.address().equals(address)) {
                comets.put(server, new Comet(server, address, channels.createChannel("static://" + address)));
                if (known != null) {
                    known.channel().shutdown();
                }
                log.info("comet joined server={} address={}", server, address);
            }
        });
        comets.keySet().removeIf(server -> {
            if (seen.containsKey(server)) {
                return false;
            }
            comets.get(server).channel().shutdown();
            log.info("comet left server={}", server);
            return true;
        });
    }

    @Override
    public void destroy() {
        comets.values().forEach(comet -> comet.channel().shutdownNow());
        comets.clear();
    }
}
