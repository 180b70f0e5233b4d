package io.goim.logic.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.util.MultiValueMap;

class CachedCodecsTest {

    @Test
    void listsTheDelegatesReadersAndWritersOnceInTheirOrder() {
        ServerCodecConfigurer delegate = ServerCodecConfigurer.create();
        CachedCodecs.Cached cached = new CachedCodecs.Cached(delegate);

        List<HttpMessageReader<?>> readers = cached.getReaders();

        assertThat(readers)
                .map(Object::getClass)
                .containsExactlyElementsOf(
                        delegate.getReaders().stream().map(Object::getClass).toList());
        assertThat(cached.getWriters())
                .map(Object::getClass)
                .containsExactlyElementsOf(
                        delegate.getWriters().stream().map(Object::getClass).toList());
        assertThat(cached.getReaders()).isSameAs(readers);
        assertThat(cached.getWriters()).isSameAs(cached.getWriters());
        // the form reader the exchange looks for on every request is among them
        ResolvableType form = ResolvableType.forClassWithGenerics(MultiValueMap.class, String.class, String.class);
        assertThat(readers).anyMatch(reader -> reader.canRead(form, MediaType.APPLICATION_FORM_URLENCODED));
    }
}
