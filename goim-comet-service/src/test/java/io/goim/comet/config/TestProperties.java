package io.goim.comet.config;

import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** CometProperties with goim's defaults and the given overrides, bound as Spring binds them. */
public final class TestProperties {
    private TestProperties() {}

    public static CometProperties comet(Map<String, String> overrides) {
        return new Binder(new MapConfigurationPropertySource(overrides))
                .bindOrCreate("goim.comet", CometProperties.class);
    }
}
