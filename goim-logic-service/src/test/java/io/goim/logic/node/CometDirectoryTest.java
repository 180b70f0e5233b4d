package io.goim.logic.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.logic.config.LogicProperties;
import io.goim.proto.contract.DiscoveryMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/** Which comets count as departed, with a registry whose listing the test sets (NodesIT: real Eureka). */
class CometDirectoryTest {
    private final List<ServiceInstance> listing = new ArrayList<>();
    private final CometDirectory directory = new CometDirectory(
            new DiscoveryClient() {
                @Override
                public String description() {
                    return "the test's listing";
                }

                @Override
                public List<ServiceInstance> getInstances(String serviceId) {
                    return "goim-comet".equals(serviceId) ? List.copyOf(listing) : List.of();
                }

                @Override
                public List<String> getServices() {
                    return List.of("goim-comet");
                }
            },
            new Binder(List.of()).bindOrCreate("goim.logic", Bindable.of(LogicProperties.class)),
            new LoadBalancer());

    private void list(String... servers) {
        listing.clear();
        for (String server : servers) {
            boolean offline = server.startsWith("draining");
            listing.add(new DefaultServiceInstance(
                    server,
                    "goim-comet",
                    "127.0.0.1",
                    3109,
                    false,
                    Map.of(DiscoveryMetadata.SERVER_ID, server, "offline", Boolean.toString(offline))));
        }
        directory.refresh();
    }

    @Test
    void aCometThatLeavesIsDepartedUntilItComesBack() {
        list("a", "b");
        assertThat(directory.departed("a")).isFalse();

        list("b");
        assertThat(directory.departed("a")).isTrue();
        assertThat(directory.departed("b")).isFalse();

        list("a", "b");
        assertThat(directory.departed("a")).isFalse();
    }

    @Test
    void aDrainingCometIsStillListedAndNotDeparted() {
        list("a", "draining-b");
        list("a", "draining-b");

        assertThat(directory.departed("draining-b")).isFalse();
        assertThat(directory.comets()).extracting(CometNode::serverId).containsExactly("a");
    }

    @Test
    void aCometNeverListedIsNotDeparted() {
        list("a");

        assertThat(directory.departed("new"))
                .as("it may have registered a moment ago")
                .isFalse();
    }

    @Test
    void anEmptyListingDepartsNobody() {
        list("a", "b");
        list();

        assertThat(directory.departed("a")).isFalse();
        assertThat(directory.departed("b")).isFalse();

        // what left during the empty listing is departed once comets are listed again
        list("b");
        assertThat(directory.departed("a")).isTrue();
    }
}
