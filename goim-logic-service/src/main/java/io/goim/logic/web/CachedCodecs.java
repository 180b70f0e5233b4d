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
 * complete once the context has built it (its customizers ran), so the lists are kept from when the
 * handler is built on; the readers and writers themselves are shared by all requests anyway.
 */
@Configuration(proxyBeanMethods = false)
class CachedCodecs {

    @Bean
    WebHttpHandlerBuilderCustomizer cachedCodecsCustomizer(ServerCodecConfigurer codecs) {
        return builder -> builder.codecConfigurer(new Cached(codecs));
    }

    /** Delegates everything; the reader and writer lists are built once, when it is made. */
    static final class Cached implements ServerCodecConfigurer {
        private final ServerCodecConfigurer delegate;
        private final List<HttpMessageReader<?>> readers;
        private final List<HttpMessageWriter<?>> writers;

        Cached(ServerCodecConfigurer delegate) {
            this.delegate = delegate;
            this.readers = List.copyOf(delegate.getReaders());
            this.writers = List.copyOf(delegate.getWriters());
        }

        @Override
        public List<HttpMessageReader<?>> getReaders() {
            return readers;
        }

        @Override
        public List<HttpMessageWriter<?>> getWriters() {
            return writers;
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
