package io.goim.logic.node;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.goim.proto.contract.DiscoveryMetadata;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.client.ServiceInstance;

/**
 * A comet as Eureka lists it, with goim's metadata parsed (contract section 7). Missing or
 * unparseable numbers count as 0, a missing offline as false. As JSON (nodes/instances) it has the
 * shape of goim's discovery instance: hostname, appid, region, zone, addrs, metadata.
 */
public record CometNode(
        @JsonProperty("hostname") String serverId,
        String appid,
        String host,
        String region,
        String zone,
        List<String> addrs,
        Map<String, String> metadata,
        @JsonIgnore int weight,
        @JsonIgnore boolean offline,
        @JsonIgnore long connCount,
        @JsonIgnore long ipCount) {

    static final String SERVER_ID = DiscoveryMetadata.SERVER_ID;

    static CometNode of(ServiceInstance instance) {
        Map<String, String> metadata = Map.copyOf(instance.getMetadata());
        String serverId = metadata.getOrDefault(SERVER_ID, instance.getHost());
        List<String> addrs = Arrays.stream(metadata.getOrDefault("addrs", "").split(","))
                .map(String::strip)
                .filter(a -> !a.isEmpty())
                .toList();
        return new CometNode(
                serverId,
                instance.getServiceId(),
                instance.getHost(),
                metadata.getOrDefault("region", ""),
                metadata.getOrDefault("zone", ""),
                addrs,
                metadata,
                (int) number(metadata.get("weight")),
                Boolean.parseBoolean(metadata.get("offline")),
                number(metadata.get("conn_count")),
                number(metadata.get("ip_count")));
    }

    private static long number(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
