package io.goim.logic.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goim.logic.config.LogicProperties;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RegionLocatorTest {
    static LogicProperties properties(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("goim.logic", LogicProperties.class);
    }

    private final RegionLocator locator = new RegionLocator(properties(Map.of(
            "goim.logic.regions.sh[0]", "上海",
            "goim.logic.regions.sh[1]", "江苏",
            "goim.logic.regions.bj[0]", "北京",
            "goim.logic.node.ip-provinces[0].cidr", "10.1.0.0/16",
            "goim.logic.node.ip-provinces[0].province", "江苏",
            "goim.logic.node.ip-provinces[1].cidr", "192.168.7.0/25",
            "goim.logic.node.ip-provinces[1].province", "北京",
            "goim.logic.node.ip-provinces[2].cidr", "fd00::/8",
            "goim.logic.node.ip-provinces[2].province", "上海")));

    @Test
    void mapsNetworksToProvincesToRegions() {
        assertThat(locator.region("10.1.200.3")).isEqualTo("sh");
        assertThat(locator.region("192.168.7.100")).isEqualTo("bj");
        assertThat(locator.region("fd12::1")).isEqualTo("sh");
    }

    @Test
    void unknownAddressesHaveNoRegion() {
        assertThat(locator.region("10.2.0.1")).isEmpty();
        assertThat(locator.region("192.168.7.200")).isEmpty();
        assertThat(locator.region("")).isEmpty();
        assertThat(locator.region("not-an-ip.example")).isEmpty();
    }

    @Test
    void goimsDefaultsBindWithoutConfiguration() {
        LogicProperties defaults = properties(Map.of());

        assertThat(defaults.node().heartbeatTimeout()).hasMinutes(8);
        assertThat(defaults.limits().maxBody().toBytes()).isEqualTo(65_536);
        assertThat(defaults.limits().maxTargets()).isEqualTo(1000);
        assertThat(defaults.api().keys()).isEmpty();
        assertThat(defaults.auth().mode()).isEqualTo(LogicProperties.AuthMode.GOIM);
        assertThat(defaults.online().deadline()).hasMinutes(5);
        assertThat(List.of(defaults.backoff().maxDelay(), defaults.backoff().baseDelay()))
                .containsExactly(300, 3);
        assertThat(new RegionLocator(defaults).region("10.0.0.1")).isEmpty();
    }

    @Test
    void aBadNetworkFailsStartUp() {
        LogicProperties bad = properties(Map.of(
                "goim.logic.node.ip-provinces[0].cidr", "nowhere/8",
                "goim.logic.node.ip-provinces[0].province", "上海"));

        assertThatThrownBy(() -> new RegionLocator(bad)).hasMessageContaining("nowhere/8");
    }
}
