package io.goim.logic.web;

import java.util.List;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * The HTTP handler's codecs, listed once. WebFlux asks its {@link ServerCodecConfigurer} for the
 * readers on every request (to find the form reader while it builds the exchange), and the
 * configurer builds the whole list anew each time, default codecs and their media types included:
 * a tenth of the HTTP thread's samples at 1,000 pushes a second (README, logic). The configurer is
 * complete once the context has built it (its customizers ran), so the lists are kept from the first
 * request on; the readers and writers themselves are shared by all requests in WebFlux anyway.
 */
@Configuration(proxyBeanMethods = false)
class CachedCodecs {

    @Bean
    WebHttpHandlerBuilderCustomizer cachedCodecsCustomizer(ServerCodecConfigurer codecs) {
        return builder -> builder.codecConfigurer(new Cached(codecs));
    }

    /** Delegates everything; the reader and writer lists are built once, on first use. */
    static final class Cached implements ServerCodecConfigurer {
        private final ServerCodecConfigurer delegate;
        private volatile List<HttpMessageReader<?>> readers;
        private volatile List<HttpMessageWriter<?>> writers;

        Cached(ServerCodecConfigurer delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<HttpMessageReader<?>> getReaders() {
            List<HttpMessageReader<?>> list = readers;
            if (list == null) {
                list = List.copyOf(delegate.getReaders());
                readers = list;
            }
            return list;
        }

        @Override
        public List<HttpMessageWriter<?>> getWriters() {
            List<HttpMessageWriter<?>> list = writers;
            if (list == null) {
                list = List.copyOf(delegate.getWriters());
                writers = list;
            }
            return list;
        }

        @Override
        public ServerDefaultCodecs defaultCodecs() {
            return delegate.defaultCodecs();
        }

        @Override
        public CustomCodecs customCodecs() {
            return delegate.customCodecs();
        }

        @Override
        public void registerDefaults(boolean registerDefaults) {
            delegate.registerDefaults(registerDefaults);
        }

        @Override
        public ServerCodecConfigurer clone() {
            return delegate.clone();
        }
    }
}
