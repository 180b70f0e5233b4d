package io.goim.job.config;

import static io.goim.proto.contract.KafkaTopics.PUSH;
import static io.goim.proto.contract.KafkaTopics.PUSH_DEAD_LETTER;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code goim.job}: goim's job configuration sections with goim's defaults. */
@ConfigurationProperties("goim.job")
@Validated
public record JobProperties(
        @Valid @DefaultValue Kafka kafka,
        @Valid @DefaultValue Comet comet,
        @Valid @DefaultValue Room room,
        @Valid @DefaultValue History history) {

    /**
     * goim's [kafka] section (contract section 5), plus what at-least-once needs: where records that
     * failed for good go, and how many records may be consumed but not yet finished.
     *
     * @param maxInFlight records consumed and not yet accepted by the comets (or dead-lettered); the
     *     listener waits when this many are open, which bounds job's memory
     * @param inFlightWait how long the listener waits for room before it re-reads the record later
     * @param deadLetterAttempts sends of one dead letter before job gives it up (counted as {@code
     *     goim.job.dead.letters.given.up}) and commits past it, so that a dead-letter topic that does
     *     not answer never holds up its partition
     */
    public record Kafka(
            @NotBlank @DefaultValue(PUSH) String topic,
            @NotBlank @DefaultValue("goim-push-group-job") String group,
            @Min(1) @DefaultValue("1") int concurrency,
            @NotBlank @DefaultValue(PUSH_DEAD_LETTER) String deadLetterTopic,
            @Min(1) @DefaultValue("10000") int maxInFlight,
            @NotNull @DefaultValue("30s") Duration inFlightWait,
            @Min(1) @DefaultValue("5") int deadLetterAttempts) {}

    /**
     * How job finds and calls comets.
     *
     * @param queueCapacity calls waiting in each of a comet's lanes; a full queue rejects
     *     (dead-letters) instead of stalling the other comets
     * @param retries further attempts of a call that failed, with back-off doubling from {@code
     *     retryBackoff} up to {@code maxRetryBackoff}
     * @param lanes calls in flight to one comet at most, each lane ordered (a room's calls, one
     *     connection's pushes keep to one lane)
     * @param probe how often a comet that job cannot connect to is tried again; meanwhile its calls
     *     are skipped (counted), not retried or dead-lettered
     */
    public record Comet(
            @NotBlank @DefaultValue("goim-comet") String serviceId,
            @NotNull @DefaultValue("5s") Duration refresh,
            @NotNull @DefaultValue("5s") Duration callTimeout,
            @Min(1) @DefaultValue("2048") int queueCapacity,
            @Min(0) @DefaultValue("3") int retries,
            @NotNull @DefaultValue("100ms") Duration retryBackoff,
            @NotNull @DefaultValue("2s") Duration maxRetryBackoff,
            @Min(1) @DefaultValue("8") int lanes,
            @NotNull @DefaultValue("1s") Duration probe) {}

    /**
     * goim's room merging (contract section 7): flush at {@code batch} messages or {@code signal}
     * after the first one, forget a room idle for {@code idle}.
     */
    public record Room(
            @Min(1) @DefaultValue("20") int batch,
            @NotNull @DefaultValue("1s") Duration signal,
            @NotNull @DefaultValue("15m") Duration idle) {}

    /**
     * Room history (issue 15, docs/recovery.md): job numbers every room message with the room's
     * offset and keeps the last ones in Redis.
     *
     * @param enabled false: nothing is numbered or stored (inner seq 0, as goim), no Redis calls
     * @param room what every room keeps unless its type says otherwise
     * @param types per room type (the {@code type} of {@code type://id}); {@code live} keeps no
     *     messages, and {@code goim-warmup} (logic's warm-up rooms) keeps none and forgets its
     *     positions a minute after the warm-up: its pushes are numbered so that the warm-up runs
     *     job's numbering too (in the interpreter it cost a quiet room's push about 1.3 ms)
     * @param metaTtl how long a room's position (its epoch) outlives its last message
     * @param replayWindow Kafka offsets per room remembered to give a replayed record its number again
     * @param replayTtl how long they are remembered
     */
    public record History(
            @DefaultValue("true") boolean enabled,
            @Valid @DefaultValue Stream room,
            Map<String, @Valid Stream> types,
            @NotNull @DefaultValue("24h") Duration metaTtl,
            @Min(1) @DefaultValue("1000") int replayWindow,
            @NotNull @DefaultValue("10m") Duration replayTtl) {

        public History {
            Map<String, Stream> merged = new LinkedHashMap<>();
            merged.put("live", new Stream(0, Duration.ofMinutes(5), null));
            merged.put("goim-warmup", new Stream(0, Duration.ofMinutes(1), Duration.ofMinutes(1)));
            if (types != null) {
                merged.putAll(types);
            }
            types = Map.copyOf(merged);
        }

        /** How long {@code stream}'s position outlives its last message. */
        public Duration metaTtl(Stream stream) {
            return stream.metaTtl() != null ? stream.metaTtl() : metaTtl;
        }

        /** How long {@code stream}'s replayed Kafka offsets are remembered: no longer than its position. */
        public Duration replayTtl(Stream stream) {
            Duration position = metaTtl(stream);
            return position.compareTo(replayTtl) < 0 ? position : replayTtl;
        }

        /** The settings of {@code roomId}'s type, or the rooms' default. */
        public Stream of(String roomId) {
            int at = roomId.indexOf("://");
            Stream typed = at < 0 ? null : types.get(roomId.substring(0, at));
            return typed != null ? typed : room;
        }
    }

    /**
     * @param size messages kept (0: numbered, none kept)
     * @param ttl how long they are kept after the last one; 0: the stream is not numbered at all
     * @param metaTtl how long its position outlives its last message (and its replayed offsets at
     *     most as long); unset: the history's {@code meta-ttl}
     */
    public record Stream(
            @Min(0) @DefaultValue("100") int size,
            @NotNull @DefaultValue("5m") Duration ttl,
            Duration metaTtl) {

        public boolean numbered() {
            return !ttl.isZero();
        }
    }
}
