package io.goim.logic.node;

import java.util.List;

/** goim's weightedNode: a comet's fixed weight and the connections it has (from metadata, plus those given since). */
final class WeightedNode {
    final CometNode comet;
    final long fixedWeight;
    long currentConns;

    WeightedNode(CometNode comet) {
        this.comet = comet;
        this.fixedWeight = Math.max(comet.weight(), 0);
        this.currentConns = comet.connCount();
    }

    String hostname() {
        return comet.serverId();
    }

    List<String> addrs() {
        return comet.addrs();
    }

    void chosen() {
        currentConns++;
    }

    /** The fixed weight, times the region gain when the comet is in the client's region. */
    double effectiveWeight(String region, double regionWeight) {
        boolean local = !region.isEmpty() && region.equals(comet.region());
        return fixedWeight * (local ? regionWeight : 1.0);
    }

    /**
     * Connections per unit of weight if this comet took the next one; the lowest is chosen
     * (weighted least connections), so over many choices each comet's share of connections
     * approaches its share of weight. goim's calculateWeight instead adds a load correction to
     * the fixed weight that can never overcome a weight difference of half the total weight, so
     * with weights 3 and 1 the heavier comet won every choice however loaded it was.
     */
    double load(String region, double regionWeight) {
        double weight = effectiveWeight(region, regionWeight);
        return weight <= 0 ? Double.POSITIVE_INFINITY : (currentConns + 1) / weight;
    }
}
