package io.goim.logic.node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * goim's LoadBalancer: every choice ranks the comets and counts one more connection on the first,
 * so that choices between two registry updates spread by weight. A comet keeps its counted
 * connections until its metadata changes (goim: until its instance is updated). The ranking is
 * weighted least connections (see {@link WeightedNode#load}), the region gain as goim's.
 */
final class LoadBalancer {
    static final int MAX_NODES = 5;

    private Map<String, WeightedNode> nodes = Map.of();

    /** The domains and addresses of the chosen comets, best first. */
    record Choice(List<String> domains, List<String> addrs) {}

    synchronized void update(List<CometNode> comets) {
        Map<String, WeightedNode> updated = new HashMap<>();
        for (CometNode comet : comets) {
            WeightedNode old = nodes.get(comet.serverId());
            updated.put(comet.serverId(), old != null && old.comet.equals(comet) ? old : new WeightedNode(comet));
        }
        nodes = updated;
    }

    synchronized Choice choose(String region, String domain, double regionWeight) {
        List<WeightedNode> ranked = new ArrayList<>(nodes.values());
        ranked.sort(Comparator.comparingDouble((WeightedNode n) -> n.load(region, regionWeight))
                .thenComparing(Comparator.comparingDouble((WeightedNode n) -> n.effectiveWeight(region, regionWeight))
                        .reversed())
                .thenComparing(WeightedNode::hostname));
        if (!ranked.isEmpty()) {
            ranked.getFirst().chosen();
        }
        List<String> domains = new ArrayList<>();
        List<String> addrs = new ArrayList<>();
        for (WeightedNode node : ranked.subList(0, Math.min(MAX_NODES, ranked.size()))) {
            domains.add(node.hostname() + domain);
            addrs.addAll(node.addrs());
        }
        return new Choice(domains, addrs);
    }
}
