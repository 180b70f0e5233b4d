package io.goim.logic.config;

import io.goim.proto.contract.KafkaTopics;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code goim.logic}: goim's logic configuration sections ([node], [backoff], [regions], [redis],
 * [kafka]) with goim's defaults, plus what this project adds (auth, API keys, limits, timeouts).
 */
@ConfigurationProperties("goim.logic")
@Validated
public record LogicProperties(
        @Valid @DefaultValue Node node,
        @Valid @DefaultValue Backoff backoff,
        Map<String, List<String>> regions,
        @Valid @DefaultValue Discovery discovery,
        @Valid @DefaultValue Session session,
        @Valid @DefaultValue Kafka kafka,
        @Valid @DefaultValue Online online,
        @Valid @DefaultValue Auth auth,
        @Valid @DefaultValue Api api,
        @Valid @DefaultValue Limits limits,
        @Valid @DefaultValue Timeouts timeouts,
        @Valid @DefaultValue Warmup warmup,
        @Valid @DefaultValue History history) {

    public LogicProperties {
        regions = regions == null ? Map.of() : Map.copyOf(regions);
    }

    /** goim's [node] section: what clients are told by nodes/weighted and ConnectReply. */
    public record Node(
            @NotNull @DefaultValue("4m") Duration heartbeat,
            @Min(1) @DefaultValue("2") int heartbeatMax,
            @NotNull @DefaultValue("conn.goim.io") String defaultDomain,
            @NotNull @DefaultValue(".goim.io") String hostDomain,
            @DefaultValue("3101") int tcpPort,
            @DefaultValue("3102") int wsPort,
            @DefaultValue("3103") int wssPort,
            @Positive @DefaultValue("1.6") double regionWeight,
            @Valid List<IpProvince> ipProvinces) {

        public Node {
            ipProvinces = ipProvinces == null ? List.of() : List.copyOf(ipProvinces);
        }

        /** The heartbeat timeout handed to comet in ConnectReply: heartbeat × heartbeatMax. */
        public Duration heartbeatTimeout() {
            return heartbeat.multipliedBy(heartbeatMax);
        }
    }

    /**
     * Which province a client network is in (goim leaves IP → province a TODO): a CIDR such as
     * {@code 10.1.0.0/16} and a province named in {@code regions}.
     */
    public record IpProvince(
            @NotBlank String cidr, @NotBlank String province) {}

    /** goim's [backoff] section, handed to clients by nodes/weighted. */
    public record Backoff(
            @DefaultValue("300") int maxDelay,
            @DefaultValue("3") int baseDelay,
            @DefaultValue("1.8") float factor,
            @DefaultValue("0.3") float jitter) {}

    /** Where comets register (contract section 1). */
    public record Discovery(
            @NotBlank @DefaultValue("goim-comet") String cometServiceId) {}

    /** goim's [redis] expire: how long a session mapping lives without a Heartbeat (contract section 4). */
    public record Session(@NotNull @DefaultValue("30m") Duration expire) {}

    /** goim's [kafka] section (contract section 5), plus the topic for clients' upstream messages. */
    public record Kafka(
            @NotBlank @DefaultValue(KafkaTopics.PUSH) String topic,
            @Min(1) @DefaultValue("4") int partitions,
            @NotBlank @DefaultValue("goim-upstream-topic") String upstreamTopic) {}

    /** Room counts (contract section 4): reload period and the age past which an entry is ignored. */
    public record Online(
            @NotNull @DefaultValue("10s") Duration refresh,
            @NotNull @DefaultValue("5m") Duration deadline) {}

    /** How Connect verifies a token: goim's JSON as is, or a signed JWT. */
    public record Auth(
            @NotNull @DefaultValue("goim") AuthMode mode,
            @Valid @DefaultValue Jwt jwt) {}

    public enum AuthMode {
        GOIM,
        JWT
    }

    /** JWT verification: exactly one of secret (HS256), public-key (RS256, PEM) or jwks-uri. */
    public record Jwt(
            String secret,
            String publicKey,
            URI jwksUri,
            String issuer,
            String audience,
            @NotBlank @DefaultValue("key") String keyClaim,
            @NotBlank @DefaultValue("room_id") String roomClaim,
            @NotBlank @DefaultValue("accepts") String acceptsClaim,
            @NotBlank @DefaultValue("platform") String platformClaim,
            @NotNull @DefaultValue("60s") Duration clockSkew) {}

    /** Bearer API keys for the push API (and the queries when protect-queries); none = open, as goim. */
    public record Api(
            List<String> keys, @DefaultValue("false") boolean protectQueries) {
        public Api {
            keys = keys == null
                    ? List.of()
                    : keys.stream().filter(k -> !k.isBlank()).toList();
        }
    }

    /** Bounds of one push call. */
    public record Limits(
            @NotNull @DefaultValue("64KB") DataSize maxBody,
            @Min(1) @DefaultValue("1000") int maxTargets) {}

    /**
     * Bounds on every call to Redis and Kafka, so that nothing hangs. The push API's: a push by keys
     * or mids makes one Redis call and then Kafka sends, so {@code redis} and {@code kafka} together
     * stay under 1 s. {@code session} bounds the Redis writes of Connect, Disconnect and Heartbeat:
     * comet waits for them (its own deadline is 3 s), and a reconnect storm of thousands of clients
     * must not fail for want of a few hundred milliseconds.
     */
    public record Timeouts(
            @NotNull @DefaultValue("400ms") Duration redis,
            @NotNull @DefaultValue("500ms") Duration kafka,
            @NotNull @DefaultValue("2s") Duration session) {}

    /**
     * The push path's warm-up at start (see PushWarmup).
     *
     * @param pushes room pushes sent once a comet is listed; 0: none
     * @param concurrency warm-up pushes under way at once
     * @param maxWait how long to wait for a comet to appear before giving the warm-up up
     */
    public record Warmup(
            @Min(0) @DefaultValue("8000") int pushes,
            @Min(1) @DefaultValue("4") int concurrency,
            @NotNull @DefaultValue("2m") Duration maxWait) {}

    /**
     * History and recovery (issue 15, docs/recovery.md): the offline inbox of pushes by mids, and
     * the reads behind comet's recover (op 18) and {@code /goim/history/*}. Rooms are numbered and
     * kept by job ({@code goim.job.history}).
     *
     * @param enabled false: pushes by mids are not stored, recover answers "not recovered" with no
     *     position, the HTTP API answers empty positions
     * @param user the inbox of each mid: messages kept, and how long after the last one
     * @param metaTtl how long a position logic creates (an inbox, a stream a client recovers before
     *     its first message) lives after its last message
     */
    public record History(
            @DefaultValue("true") boolean enabled,
            @Valid @DefaultValue UserInbox user,
            @NotNull @DefaultValue("24h") Duration metaTtl) {}

    /** The offline inbox per mid: the last {@code size} pushes by mids, kept {@code ttl}. */
    public record UserInbox(
            @Min(0) @DefaultValue("100") int size,
            @NotNull @DefaultValue("24h") Duration ttl) {}
}
