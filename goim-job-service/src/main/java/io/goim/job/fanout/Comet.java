package io.goim.job.fanout;

import io.grpc.ManagedChannel;

/** One comet as job knows it: its server id, gRPC address and the one channel reused for it. */
record Comet(String server, String address, ManagedChannel channel) {}
