package io.goim.logic.node;

import io.goim.logic.config.LogicProperties;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** goim's NodesWeighted and NodesInstances: which comets a client should connect to. */
@Service
public final class NodesService {
    static final String PLATFORM_WEB = "web";
    private static final Logger log = LoggerFactory.getLogger(NodesService.class);

    private final CometDirectory directory;
    private final LoadBalancer balancer;
    private final RegionLocator regions;
    private final LogicProperties.Node node;
    private final Nodes.Backoff backoff;

    NodesService(CometDirectory directory, LoadBalancer balancer, LogicProperties properties) {
        this.directory = directory;
        this.balancer = balancer;
        this.regions = new RegionLocator(properties);
        this.node = properties.node();
        LogicProperties.Backoff b = properties.backoff();
        this.backoff = new Nodes.Backoff(b.maxDelay(), b.baseDelay(), b.factor(), b.jitter());
    }

    /**
     * Up to 5 comets by weight and load, preferring the client's region: host domains for web
     * clients (which need a TLS name), public addresses for the others; the default domain when
     * there is no comet.
     */
    public Nodes weighted(String platform, String clientIp) {
        String region = regions.region(clientIp);
        LoadBalancer.Choice choice = balancer.choose(region, node.hostDomain(), node.regionWeight());
        List<String> nodes = PLATFORM_WEB.equals(platform) ? choice.domains() : choice.addrs();
        if (nodes.isEmpty()) {
            nodes = List.of(node.defaultDomain());
        }
        log.debug("nodes platform={} clientIp={} region={} nodes={}", platform, clientIp, region, nodes);
        return new Nodes(
                node.defaultDomain(),
                node.tcpPort(),
                node.wsPort(),
                node.wssPort(),
                (int) node.heartbeat().toSeconds(),
                node.heartbeatMax(),
                nodes,
                backoff);
    }

    /** nodes/instances: the comets with their metadata. */
    public List<CometNode> instances() {
        return directory.comets();
    }
}
