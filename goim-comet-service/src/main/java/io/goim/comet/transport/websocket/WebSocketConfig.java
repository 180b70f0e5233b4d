package io.goim.comet.transport.websocket;

import io.goim.comet.config.CometProperties;
import io.goim.comet.transport.Connections;
import io.goim.comet.transport.IoLoops;
import io.goim.comet.transport.Listener;
import io.goim.comet.transport.Transport;
import io.goim.proto.frame.Frame;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import javax.net.ssl.SSLException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The WebSocket listener (on by default) and the WebSocket-over-TLS one (off by default). */
@Configuration(proxyBeanMethods = false)
class WebSocketConfig {
    @Bean
    @ConditionalOnProperty(name = "goim.comet.websocket.enabled", matchIfMissing = true)
    Listener webSocketListener(CometProperties properties, Connections connections, IoLoops loops) {
        CometProperties.Websocket ws = properties.websocket();
        return new WebSocketListener(
                Transport.WEBSOCKET,
                ws.bind(),
                ws.port(),
                ws.path(),
                maxPackLength(properties),
                properties.protocol().handshakeTimeout().toMillis(),
                null,
                connections,
                loops);
    }

    @Bean
    @ConditionalOnProperty(name = "goim.comet.wss.enabled")
    Listener webSocketTlsListener(CometProperties properties, Connections connections, IoLoops loops) {
        CometProperties.Wss wss = properties.wss();
        if (wss.certificate() == null || wss.privateKey() == null) {
            throw new IllegalStateException(
                    "goim.comet.wss.enabled needs goim.comet.wss.certificate and goim.comet.wss.private-key (PEM files)");
        }
        File certificate = new File(wss.certificate());
        File privateKey = new File(wss.privateKey());
        return new WebSocketListener(
                Transport.WEBSOCKET_TLS,
                wss.bind(),
                wss.port(),
                properties.websocket().path(),
                maxPackLength(properties),
                properties.protocol().handshakeTimeout().toMillis(),
                tls(certificate, privateKey),
                connections,
                loops);
    }

    private static SslContext tls(File certificate, File privateKey) {
        try {
            return SslContextBuilder.forServer(certificate, privateKey).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot read goim.comet.wss.certificate " + certificate + " and private-key " + privateKey, e);
        }
    }

    private static int maxPackLength(CometProperties properties) {
        return Frame.HEADER_LENGTH + properties.protocol().maxClientBody();
    }
}
