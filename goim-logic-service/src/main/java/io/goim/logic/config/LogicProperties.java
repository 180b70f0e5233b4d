package io.goim.logic.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code goim.logic}: goim's logic configuration sections with goim's defaults. */
@ConfigurationProperties("goim.logic")
@Validated
public record LogicProperties(
        @Valid @DefaultValue Node node,
        @Valid @DefaultValue Session session,
        @Valid @DefaultValue Kafka kafka) {

    /** goim's [node] section: what clients are told about heartbeats. */
    public record Node(
            @NotNull @DefaultValue("4m") Duration heartbeat,
            @Min(1) @DefaultValue("2") int heartbeatMax) {

        /** The heartbeat timeout handed to comet in ConnectReply: heartbeat × heartbeatMax. */
        public Duration heartbeatTimeout() {
            return heartbeat.multipliedBy(heartbeatMax);
        }
    }

    /** goim's [redis] expire: how long a session mapping lives without a Heartbeat (contract section 4). */
    public record Session(@NotNull @DefaultValue("30m") Duration expire) {}

    /** goim's [kafka] section (contract section 5). */
    public record Kafka(
            @NotBlank @DefaultValue("goim-push-topic") String topic,
            @Min(1) @DefaultValue("4") int partitions) {}
}
