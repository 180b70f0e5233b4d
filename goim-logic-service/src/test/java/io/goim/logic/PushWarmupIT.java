package io.goim.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.goim.proto.logic.PushMsg;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The push path's warm-up on a real broker: once a comet is listed, logic sends the configured
 * number of room pushes, each to a room of its own that no client can be in.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "eureka.client.enabled=false",
            "goim.logic.timeouts.kafka=10s",
            "goim.logic.warmup.pushes=" + PushWarmupIT.PUSHES,
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].uri=http://127.0.0.1:3109",
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata.[server.id]=warmup-it-comet",
        })
@EmbeddedKafka(
        partitions = 4,
        topics = {"goim-push-topic", "goim-upstream-topic"},
        bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@DirtiesContext
class PushWarmupIT {
    static final int PUSHES = 40;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", TestRedis::port);
    }

    @Test
    void sendsTheWarmupPushesEachToARoomOfItsOwn(@Autowired EmbeddedKafkaBroker kafka, @Autowired MeterRegistry meters)
            throws Exception {
        try (TopicRecords records = new TopicRecords(kafka.getBrokersAsString(), "goim-push-topic")) {
            List<ConsumerRecord<String, byte[]>> warmups =
                    records.await(PUSHES, r -> r.key().startsWith("goim-warmup://"));

            List<PushMsg> msgs = warmups.stream().map(PushWarmupIT::decode).toList();
            assertThat(msgs).hasSize(PUSHES).allSatisfy(msg -> {
                assertThat(msg.getType()).isEqualTo(PushMsg.Type.ROOM);
                assertThat(msg.getRoom()).startsWith("goim-warmup://");
                assertThat(msg.getMsg().toStringUtf8()).isEqualTo("warm-up");
            });
            Set<String> rooms = msgs.stream().map(PushMsg::getRoom).collect(Collectors.toSet());
            assertThat(rooms).hasSize(PUSHES);
            // and no more than configured
            assertThat(records.seen(r -> r.key().startsWith("goim-warmup://"))).hasSize(PUSHES);
            // counted as the warm-up's, not as users' room pushes (issue 13)
            org.awaitility.Awaitility.await()
                    .until(() -> meters.counter("goim.push", "type", "warmup", "result", "ok")
                                    .count()
                            == PUSHES);
            assertThat(meters.find("goim.push").tag("type", "room").counter()).isNull();
        }
    }

    private static PushMsg decode(ConsumerRecord<String, byte[]> record) {
        try {
            return PushMsg.parseFrom(record.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
