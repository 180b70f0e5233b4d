package io.goim.logic.rpc;

import io.goim.logic.config.LogicProperties;
import io.grpc.netty.NettyServerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * logic's gRPC methods run on the transport's threads: none of them blocks (Redis commands are
 * issued without waiting, Kafka sends run on the bounded elastic scheduler), so gRPC's call
 * executor would only add a thread wake-up to every Connect and Disconnect of a reconnect storm.
 * The exception is a JWKS URL: fetching its keys blocks, so with one the calls keep the executor.
 */
@Configuration(proxyBeanMethods = false)
class GrpcServerConfig {
    @Bean
    ServerBuilderCustomizer<NettyServerBuilder> directCalls(LogicProperties properties) {
        boolean mayBlock = properties.auth().mode() == LogicProperties.AuthMode.JWT
                && properties.auth().jwt().jwksUri() != null;
        return builder -> {
            if (!mayBlock) {
                builder.directExecutor();
            }
        };
    }
}
