package io.goim.logic.node;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.config.LogicProperties.IpProvince;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Client IP → province → region. goim maps provinces to regions ([regions]) but leaves the IP →
 * province step a TODO; here it is a configured list of networks ({@code
 * goim.logic.node.ip-provinces}). Unknown IPs have no region, so no comet is preferred.
 */
final class RegionLocator {
    private final List<Network> networks = new ArrayList<>();
    private final Map<String, String> regionByProvince = new HashMap<>();

    private record Network(byte[] address, int prefix, String province) {}

    RegionLocator(LogicProperties properties) {
        properties.regions().forEach((region, provinces) -> provinces.forEach(p -> regionByProvince.put(p, region)));
        for (IpProvince entry : properties.node().ipProvinces()) {
            String[] parts = entry.cidr().split("/", 2);
            byte[] address = literal(parts[0]);
            if (address == null) {
                throw new IllegalStateException("goim.logic.node.ip-provinces: not an IP network: " + entry.cidr());
            }
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
            networks.add(new Network(address, prefix, entry.province()));
        }
    }

    /** The region of a client IP, "" when unknown. */
    String region(String clientIp) {
        byte[] address = literal(clientIp);
        if (address == null) {
            return "";
        }
        for (Network network : networks) {
            if (matches(network, address)) {
                return regionByProvince.getOrDefault(network.province(), "");
            }
        }
        return "";
    }

    private static boolean matches(Network network, byte[] address) {
        if (network.address().length != address.length) {
            return false;
        }
        int bits = network.prefix();
        for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((network.address()[i] & mask) != (address[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** An IP literal's bytes, without any DNS lookup; null when it is not one. */
    private static byte[] literal(String ip) {
        if (ip == null || ip.isBlank() || !ip.strip().matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(ip.strip()).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
