package io.goim.logic.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.goim.logic.config.LogicProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
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
 *
 * <p>It also remembers, for {@link #DEPARTED_KEPT}, the comets that left Eureka (a draining comet
 * is still listed, offline): their sessions outlive them until they expire, and a push to those
 * would only be skipped by job. A comet never listed is never "departed" (one that registered a
 * moment ago may not be in this view yet), and an empty list departs nobody (a registry that
 * could not be read looks like that too).
 */
@Component
public final class CometDirectory {
    private static final Logger log = LoggerFactory.getLogger(CometDirectory.class);
    /** Sessions live 30 min by default (goim.logic.session.expire): twice that. */
    static final Duration DEPARTED_KEPT = Duration.ofHours(1);

    private final DiscoveryClient discovery;
    private final String serviceId;
    private final LoadBalancer balancer;
    private volatile List<CometNode> comets = List.of();
    /** Every server id listed last time, offline ones too. */
    private Set<String> listed = Set.of();
    /** Server id → when it was no longer listed (nanoTime). */
    private final Map<String, Long> departed = new ConcurrentHashMap<>();

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

    /** Whether the comet left Eureka within {@link #DEPARTED_KEPT} and has not come back. */
    public boolean departed(String server) {
        return departed.containsKey(server);
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
        List<CometNode> all;
        try {
            all = discovery.getInstances(serviceId).stream().map(CometNode::of).toList();
        } catch (RuntimeException e) {
            log.warn("comet list not refreshed service={} error={}", serviceId, e.toString());
            return;
        }
        List<CometNode> seen = all.stream().filter(comet -> !comet.offline()).toList();
        noteDepartures(all.stream().map(CometNode::serverId).collect(Collectors.toSet()));
        if (!seen.equals(comets)) {
            log.info(
                    "comets changed service={} servers={}",
                    serviceId,
                    seen.stream().map(CometNode::serverId).toList());
        }
        comets = seen;
        balancer.update(seen);
    }

    private void noteDepartures(Set<String> now) {
        long at = System.nanoTime();
        if (!now.isEmpty()) {
            for (String server : listed) {
                if (!now.contains(server)) {
                    departed.put(server, at);
                    log.info("comet left, pushes to its sessions are skipped server={}", server);
                }
            }
            listed = now;
        }
        departed.keySet().removeAll(now);
        departed.values().removeIf(left -> at - left > DEPARTED_KEPT.toNanos());
    }
}
