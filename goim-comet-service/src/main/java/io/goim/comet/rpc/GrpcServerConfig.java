package io.goim.comet.rpc;

import io.grpc.netty.NettyServerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * comet's gRPC server runs its calls on the transport's own threads. Every method of {@link
 * CometGrpcService} only hands frames to the connections' event loops (or to the broadcast walker)
 * and never blocks, so the hand-off to a call executor would be one more thread wake-up on every
 * push's way to its clients, and nothing else.
 */
@Configuration(proxyBeanMethods = false)
class GrpcServerConfig {
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    ServerBuilderCustomizer<NettyServerBuilder> directCallExecutor() {
        return NettyServerBuilder::directExecutor;
    }
}
