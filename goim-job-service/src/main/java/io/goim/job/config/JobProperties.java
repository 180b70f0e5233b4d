package io.goim.job.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code goim.job}: goim's job configuration sections with goim's defaults. */
@ConfigurationProperties("goim.job")
@Validated
public record JobProperties(
        @Valid @DefaultValue Kafka kafka,
        @Valid @DefaultValue Comet comet) {

    /** goim's [kafka] section (contract section 5). */
    public record Kafka(
            @NotBlank @DefaultValue("goim-push-topic") String topic,
            @NotBlank @DefaultValue("goim-push-group-job") String group,
            @Min(1) @DefaultValue("1") int concurrency,
            @Min(0) @DefaultValue("3") int retries,
            @NotNull @DefaultValue("1s") Duration retryBackoff) {}

    /** How job finds and calls comets. */
    public record Comet(
            @NotBlank @DefaultValue("goim-comet") String serviceId,
            @NotNull @DefaultValue("5s") Duration refresh,
            @NotNull @DefaultValue("5s") Duration callTimeout) {}
}
