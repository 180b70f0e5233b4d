package io.goim.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * application.yml is where {@code goim.job} is documented (README, the container images): every value
 * it states must be the record's own default, so that a default lives in one place and the two
 * cannot drift apart. An empty value (a variable left unset, e.g. {@code ${X:}}) is the
 * record's null.
 */
class JobPropertiesDefaultsTest {

    @Test
    void applicationYmlStatesTheRecordsDefaults() throws IOException {
        List<PropertySource<?>> yml = new YamlPropertySourceLoader()
                .load("application.yml", new FileSystemResource("src/main/resources/application.yml"));
        // the yml's own placeholders resolve to their defaults, whatever this machine's environment says
        JobProperties fromYml = new Binder(
                        ConfigurationPropertySources.from(yml), new PropertySourcesPlaceholdersResolver(yml))
                .bindOrCreate("goim.job", Bindable.of(JobProperties.class));
        JobProperties fromRecord = new Binder(List.of()).bindOrCreate("goim.job", Bindable.of(JobProperties.class));

        assertThat(fromYml)
                .usingRecursiveComparison()
                .withEqualsForType((a, b) -> Objects.equals(emptyToNull(a), emptyToNull(b)), String.class)
                .isEqualTo(fromRecord);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
