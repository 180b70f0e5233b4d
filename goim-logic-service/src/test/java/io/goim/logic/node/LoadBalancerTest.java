package io.goim.logic.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
    private final LoadBalancer balancer = new LoadBalancer();

    static CometNode comet(String server, int weight, long conns, String region, String... addrs) {
        return new CometNode(
                server, "goim-comet", "127.0.0.1", region, "", List.of(addrs), Map.of(), weight, false, conns, 0);
    }

    @Test
    void theHeavierCometComesFirstWhenNobodyIsConnected() {
        balancer.update(List.of(comet("light", 1, 0, ""), comet("heavy", 10, 0, "")));

        assertThat(balancer.choose("", ".goim.io", 1.6).domains()).containsExactly("heavy.goim.io", "light.goim.io");
    }

    @Test
    void choicesSpreadByWeight() {
        balancer.update(List.of(comet("light", 1, 0, "", "10.0.0.1"), comet("heavy", 3, 0, "", "10.0.0.2")));
        Map<String, Integer> firsts = new HashMap<>();

        for (int i = 0; i < 400; i++) {
            firsts.merge(balancer.choose("", "", 1.0).addrs().getFirst(), 1, Integer::sum);
        }

        assertThat(firsts.get("10.0.0.2")).isBetween(270, 330);
        assertThat(firsts.get("10.0.0.1")).isBetween(70, 130);
    }

    @Test
    void aLoadedCometYieldsToAnIdleOneOfEqualWeight() {
        balancer.update(List.of(comet("busy", 5, 1_000, ""), comet("idle", 5, 0, "")));

        assertThat(balancer.choose("", "", 1.6).domains().getFirst()).isEqualTo("idle");
    }

    @Test
    void theClientsRegionIsPreferred() {
        balancer.update(List.of(comet("a", 5, 10, "bj"), comet("b", 5, 10, "sh")));

        assertThat(balancer.choose("sh", "", 1.6).domains().getFirst()).isEqualTo("b");
        assertThat(balancer.choose("bj", "", 1.6).domains().getFirst()).isEqualTo("a");
    }

    @Test
    void atMostFiveCometsAreGivenWithAllTheirAddresses() {
        List<CometNode> comets = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            comets.add(comet("c" + i, 10 - i, 0, "", "10.0.0." + i + ":3101", "[::" + i + "]:3101"));
        }
        balancer.update(comets);

        LoadBalancer.Choice choice = balancer.choose("", ".goim.io", 1.6);

        assertThat(choice.domains()).hasSize(5).first().isEqualTo("c0.goim.io");
        assertThat(choice.addrs()).hasSize(10).startsWith("10.0.0.0:3101", "[::0]:3101");
    }

    @Test
    void countedConnectionsLastUntilTheCometsMetadataChanges() {
        CometNode a = comet("a", 1, 0, "");
        CometNode b = comet("b", 1, 0, "");
        balancer.update(List.of(a, b));
        String first = balancer.choose("", "", 1.0).domains().getFirst();

        balancer.update(List.of(a, b));
        assertThat(balancer.choose("", "", 1.0).domains().getFirst())
                .as("the first choice still counts")
                .isNotEqualTo(first);

        balancer.update(List.of(comet("a", 1, 0, ""), comet("b", 1, 50, "")));
        assertThat(balancer.choose("", "", 1.0).domains().getFirst()).isEqualTo("a");
    }

    @Test
    void noCometsNoNodes() {
        assertThat(balancer.choose("", "", 1.6).domains()).isEmpty();
    }
}
