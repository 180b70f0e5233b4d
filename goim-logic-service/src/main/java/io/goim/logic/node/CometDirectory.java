package io.goim.logic.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.goim.logic.config.LogicProperties;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The comets that Eureka lists as UP and not offline (goim's newNodes), with the cluster totals
 * from their metadata. Refreshed whenever the Eureka client fetched its registry, and every
 * online refresh period in case no fetch event comes.
 */
@Component
public final class CometDirectory {
    private static final Logger log = LoggerFactory.getLogger(CometDirectory.class);

    private final DiscoveryClient discovery;
    private final String serviceId;
    private final LoadBalancer balancer;
    private volatile List<CometNode> comets = List.of();

    CometDirectory(DiscoveryClient discovery, LogicProperties properties, LoadBalancer balancer) {
        this.discovery = discovery;
        this.serviceId = properties.discovery().cometServiceId();
        this.balancer = balancer;
    }

    /** online/total: {@code {"conn_count": N, "ip_count": M}} summed over the comets' metadata. */
    public record Totals(
            @JsonProperty("conn_count") long connCount,
            @JsonProperty("ip_count") long ipCount) {}

    /** The comets that are not offline, as last seen. */
    public List<CometNode> comets() {
        return comets;
    }

    public Totals totals() {
        long conns = 0;
        long ips = 0;
        for (CometNode comet : comets) {
            conns += comet.connCount();
            ips += comet.ipCount();
        }
        return new Totals(conns, ips);
    }

    @EventListener(HeartbeatEvent.class)
    void onRegistryFetched() {
        refresh();
    }

    @Scheduled(fixedDelayString = "${goim.logic.online.refresh:10s}")
    public synchronized void refresh() {
        List<CometNode> seen;
        try {
            seen = discovery.getInstances(serviceId).stream()
                    .map(CometNode::of)
                    .filter(comet -> !comet.offline())
                    .toList();
        } catch (RuntimeException e) {
            log.warn("comet list not refreshed service={} error={}", serviceId, e.toString());
            return;
        }
        if (!seen.equals(comets)) {
            log.info(
                    "comets changed service={} servers={}",
                    serviceId,
                    seen.stream().map(CometNode::serverId).toList());
        }
        comets = seen;
        balancer.update(seen);
    }
}
