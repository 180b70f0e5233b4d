package io.goim.comet.rpc;

import io.goim.comet.transport.IoLoops;
import io.grpc.netty.NettyServerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * comet's gRPC server runs on the connections' event loops ({@link IoLoops}), and its calls run on
 * those threads too. Every method of {@link CometGrpcService} only hands frames to the
 * connections' event loops (or to the broadcast walker) and never blocks, so a call executor would
 * be one more thread wake-up on every push's way to its clients, and nothing else; and on a
 * connection loop, a push writes that loop's share of its connections before any other thread
 * has to wake.
 */
@Configuration(proxyBeanMethods = false)
class GrpcServerConfig {
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    ServerBuilderCustomizer<NettyServerBuilder> onConnectionLoops(IoLoops loops) {
        // the group belongs to IoLoops, which shuts it down after the server has stopped
        return builder -> builder.directExecutor()
                .bossEventLoopGroup(loops.group())
                .workerEventLoopGroup(loops.group())
                .channelType(loops.serverChannelType());
    }
}
