package io.goim.proto.contract;

/**
 * Keys of the metadata that goim's services register in Eureka (contract section 7) and read
 * from each other's instances.
 */
public final class DiscoveryMetadata {
    /** The gRPC port of an instance: comets' (job calls them) and logic's (comets call it). */
    public static final String GRPC_PORT = "grpc.port";

    /** A comet's server id, the one that logic writes into the session mapping (contract section 4). */
    public static final String SERVER_ID = "server.id";

    private DiscoveryMetadata() {}
}
