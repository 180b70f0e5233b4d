package io.goim.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.goim.proto.comet.BroadcastReq;
import io.goim.proto.comet.PushMsgReq;
import io.goim.proto.frame.FrameBatch;
import io.goim.testeureka.TestEureka;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * job on real parts: an in-JVM Kafka broker (KRaft), a real Eureka server, and real gRPC servers
 * implementing the Comet service. One broker, one Eureka and one job for the whole class; every test
 * uses its own keys, rooms and bodies, so the tests do not see each other's pushes.
 */
class JobIT {
    private static final String DLT = TestJob.TOPIC + ".DLT";
    private static final Duration DELIVERED = Duration.ofSeconds(20);

    private static EmbeddedKafkaKraftBroker kafka;
    private static TestEureka eureka;
    private static FakeComet cometA;
    private static FakeComet cometB;
    private static ConfigurableApplicationContext job;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> deadLetterReader;
    private static Admin admin;
    private static final List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = new EmbeddedKafkaKraftBroker(1, 2, TestJob.TOPIC);
        kafka.afterPropertiesSet();
        eureka = TestEureka.start();
        cometA = new FakeComet("it-comet-a-" + UUID.randomUUID());
        cometB = new FakeComet("it-comet-b-" + UUID.randomUUID());
        eureka.register(cometA.server, cometA.port());
        eureka.register(cometB.server, cometB.port());
        job = TestJob.start(kafka.getBrokersAsString(), "--eureka.client.service-url.defaultZone=" + eureka.url());
        producer = TestJob.producer(kafka.getBrokersAsString());
        admin = TestJob.admin(kafka.getBrokersAsString());
        deadLetterReader = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.getBrokersAsString(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "it-dead-letter-reader",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        deadLetterReader.subscribe(List.of(DLT));
        // job sees both comets through Eureka, as the end-to-end test checks it
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> assertThat(TestJob.get(job, "/actuator/health")).contains(cometA.server, cometB.server));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {producer, deadLetterReader, admin, job}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        for (AutoCloseable closeable : new AutoCloseable[] {cometA, cometB, eureka}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (kafka != null) {
            kafka.destroy();
        }
    }

    @Test
    void pushReachesTheNamedCometInOrder() {
        String key = "key-" + UUID.randomUUID();
        List<String> sent = IntStream.range(0, 30).mapToObj(i -> key + "#" + i).toList();
        sent.forEach(msg -> producer.send(TestJob.push(cometA.server, 1000, msg, key, key + "-2")));
        producer.flush();

        await().atMost(DELIVERED).until(() -> pushedTo(cometA, key).size() == sent.size());
        List<PushMsgReq> received = pushedTo(cometA, key);
        assertThat(received).allSatisfy(request -> {
            assertThat(request.getKeysList()).containsExactly(key, key + "-2");
            assertThat(request.getProtoOp()).isEqualTo(1000);
            assertThat(request.getProto().getOp()).isEqualTo(9);
        });
        assertThat(received.getFirst().getProto().getBody().toByteArray())
                .isEqualTo(FrameBatch.of(1000, sent.getFirst().getBytes(StandardCharsets.UTF_8)));
        assertThat(received.stream().map(r -> FakeComet.inner(r.getProto()).getFirst()))
                .containsExactlyElementsOf(sent.stream().map(m -> "1000:" + m).toList());
        assertThat(pushedTo(cometB, key)).isEmpty();
    }

    @Test
    void roomMessagesAreMergedAndReachEveryCometInOrder() {
        String room = "live://it-" + UUID.randomUUID();
        List<String> sent = IntStream.range(0, 60).mapToObj(i -> room + "#" + i).toList();
        sent.forEach(msg -> producer.send(TestJob.room(room, 1001, msg)));
        producer.flush();

        List<String> expected = sent.stream().map(m -> "1001:" + m).toList();
        for (FakeComet comet : List.of(cometA, cometB)) {
            await().atMost(DELIVERED).until(() -> comet.roomMessages(room).size() == sent.size());
            assertThat(comet.roomMessages(room)).containsExactlyElementsOf(expected);
            List<Integer> batches = comet.rooms.stream()
                    .filter(r -> r.getRoomID().equals(room))
                    .map(r -> FakeComet.inner(r.getProto()).size())
                    .toList();
            assertThat(batches.getFirst())
                    .as("a quiet room's first message leaves alone")
                    .isEqualTo(1);
            assertThat(batches)
                    .as("merged, at most 20 a call")
                    .hasSizeLessThan(sent.size())
                    .allMatch(n -> n <= 20);
        }
        assertThat(meters().get("goim.job.room.batch.size").summary().max()).isBetween(2.0, 20.0);
    }

    @Test
    void broadcastReachesEveryCometWithItsShareOfTheSpeed() {
        String msg = "all-" + UUID.randomUUID();
        producer.send(TestJob.broadcast(1002, 100, msg));
        producer.flush();

        for (FakeComet comet : List.of(cometA, cometB)) {
            await().atMost(DELIVERED).until(() -> broadcastTo(comet, msg).size() == 1);
            BroadcastReq request = broadcastTo(comet, msg).getFirst();
            assertThat(request.getSpeed()).as("speed / number of comets (goim)").isEqualTo(50);
            assertThat(request.getProtoOp()).isEqualTo(1002);
            assertThat(FakeComet.inner(request.getProto())).containsExactly("1002:" + msg);
        }
    }

    @Test
    void cometsJoinAndLeaveThroughEurekaWithoutARestart() throws Exception {
        try (FakeComet cometC = new FakeComet("it-comet-c-" + UUID.randomUUID())) {
            eureka.register(cometC.server, cometC.port());
            await().atMost(DELIVERED)
                    .until(() -> TestJob.get(job, "/actuator/health").contains(cometC.server));

            String joined = "joined-" + UUID.randomUUID();
            producer.send(TestJob.broadcast(1002, 300, joined));
            producer.flush();
            for (FakeComet comet : List.of(cometA, cometB, cometC)) {
                await().atMost(DELIVERED).until(() -> broadcastTo(comet, joined).size() == 1);
                assertThat(broadcastTo(comet, joined).getFirst().getSpeed()).isEqualTo(100);
            }

            eureka.deregister(cometC.server);
            await().atMost(DELIVERED)
                    .until(() -> !TestJob.get(job, "/actuator/health").contains(cometC.server));

            String left = "left-" + UUID.randomUUID();
            producer.send(TestJob.broadcast(1002, 300, left));
            producer.flush();
            for (FakeComet comet : List.of(cometA, cometB)) {
                await().atMost(DELIVERED).until(() -> broadcastTo(comet, left).size() == 1);
                assertThat(broadcastTo(comet, left).getFirst().getSpeed()).isEqualTo(150);
            }
            assertThat(broadcastTo(cometC, left)).isEmpty();

            // a push to a connection of the comet that left (its session outlives it) is skipped,
            // counted; one to a server job never saw is dead-lettered (it may be a comet job does
            // not know yet)
            String goneKey = "gone-" + UUID.randomUUID();
            String unknownKey = "unknown-" + UUID.randomUUID();
            double skippedBefore = counter("goim.job.comet.unreachable", "server", cometC.server);
            producer.send(TestJob.push(cometC.server, 1000, "to the comet that left", goneKey));
            producer.send(TestJob.push("never-seen-" + UUID.randomUUID(), 1000, "to nobody known", unknownKey));
            producer.flush();
            await().atMost(DELIVERED).until(() -> deadLetters(unknownKey).size() == 1);
            await().atMost(DELIVERED)
                    .until(() -> counter("goim.job.comet.unreachable", "server", cometC.server) > skippedBefore);
            await().during(Duration.ofSeconds(1))
                    .atMost(DELIVERED)
                    .until(() -> deadLetters(goneKey).isEmpty());
        }
    }

    /**
     * A comet killed while Eureka still lists it: job cannot connect, so its share of a room push
     * and the pushes to its keys are skipped and counted; the live comets get theirs, and nothing
     * goes to the dead-letter topic (before: the whole room record, meant also for the live comets).
     */
    @Test
    void aCometThatCannotBeConnectedToIsSkippedNotDeadLettered() throws Exception {
        FakeComet cometD = new FakeComet("it-comet-d-" + UUID.randomUUID());
        try {
            eureka.register(cometD.server, cometD.port());
            await().atMost(DELIVERED)
                    .until(() -> TestJob.get(job, "/actuator/health").contains(cometD.server));
            cometD.close();

            String room = "live://dead-comet-" + UUID.randomUUID();
            String key = "dead-comet-key-" + UUID.randomUUID();
            List<String> sent =
                    IntStream.range(0, 5).mapToObj(i -> room + "#" + i).toList();
            sent.forEach(msg -> producer.send(TestJob.room(room, 1001, msg)));
            producer.send(TestJob.push(cometD.server, 1000, "to the dead comet", key));
            producer.flush();

            List<String> expected = sent.stream().map(m -> "1001:" + m).toList();
            for (FakeComet comet : List.of(cometA, cometB)) {
                await().atMost(DELIVERED).until(() -> comet.roomMessages(room).size() == sent.size());
                assertThat(comet.roomMessages(room)).containsExactlyElementsOf(expected);
            }
            await().atMost(DELIVERED).until(() -> counter("goim.job.comet.unreachable", "server", cometD.server) >= 2);
            assertThat(TestJob.get(job, "/actuator/health")).contains("\"unreachable\":[\"" + cometD.server);
            await().during(Duration.ofSeconds(1))
                    .atMost(DELIVERED)
                    .until(() -> deadLetters(room).isEmpty() && deadLetters(key).isEmpty());
        } finally {
            eureka.deregister(cometD.server);
            cometD.close();
        }
    }

    @Test
    void aCometThatFailsAndRecoversIsRetriedAndLosesNothing() {
        double retriesBefore = counter("goim.job.comet.retries", "server", cometA.server);
        String key = "retried-" + UUID.randomUUID();
        List<String> sent = IntStream.range(0, 10).mapToObj(i -> key + "#" + i).toList();
        cometA.refuseNext(3); // job tries 1 + 3 times

        sent.forEach(msg -> producer.send(TestJob.push(cometA.server, 1000, msg, key)));
        producer.flush();

        await().atMost(DELIVERED).until(() -> pushedTo(cometA, key).size() == sent.size());
        assertThat(pushedTo(cometA, key).stream()
                        .map(r -> FakeComet.inner(r.getProto()).getFirst()))
                .containsExactlyElementsOf(sent.stream().map(m -> "1000:" + m).toList());
        assertThat(counter("goim.job.comet.retries", "server", cometA.server) - retriesBefore)
                .isGreaterThanOrEqualTo(3);
        assertThat(deadLetters(key)).isEmpty();
    }

    @Test
    void aPushThatFailsForGoodGoesToTheDeadLetterTopic() {
        String key = "doomed-" + UUID.randomUUID();
        cometB.refuseNext(4); // more than job's 1 + 3 attempts

        producer.send(TestJob.push(cometB.server, 1000, "doomed", key));
        producer.send(TestJob.push(cometB.server, 1000, "after", key));
        producer.flush();

        await().atMost(DELIVERED).until(() -> pushedTo(cometB, key).size() == 1);
        assertThat(FakeComet.inner(pushedTo(cometB, key).getFirst().getProto())).containsExactly("1000:after");
        await().atMost(DELIVERED).until(() -> deadLetters(key).size() == 1);
        ConsumerRecord<String, byte[]> dead = deadLetters(key).getFirst();
        assertThat(header(dead, "kafka_dlt-exception-message")).contains(cometB.server);
        assertThat(counter("goim.job.dead.letters", "reason", "undelivered")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anUndecodableRecordIsDeadLetteredAndItsPartitionMovesOn() throws Exception {
        String key = "garbage-" + UUID.randomUUID();
        byte[] garbage = {0x3a, 0x10, 0x01}; // field 7, 16 bytes announced, 1 there
        RecordMetadata bad =
                producer.send(new ProducerRecord<>(TestJob.TOPIC, key, garbage)).get();
        RecordMetadata good = producer.send(TestJob.push(cometA.server, 1000, "after garbage", key))
                .get();
        assertThat(good.partition()).isEqualTo(bad.partition());

        await().atMost(DELIVERED).until(() -> pushedTo(cometA, key).size() == 1);
        await().atMost(DELIVERED).until(() -> deadLetters(key).size() == 1);
        assertThat(deadLetters(key).getFirst().value()).isEqualTo(garbage);
        assertThat(counter("goim.job.dead.letters", "reason", "undecodable")).isGreaterThanOrEqualTo(1);
        TopicPartition partition = new TopicPartition(TestJob.TOPIC, good.partition());
        await().atMost(DELIVERED)
                .untilAsserted(
                        () -> assertThat(TestJob.committed(admin).get(partition).offset())
                                .isGreaterThan(good.offset()));
    }

    @Test
    void exposesItsMetrics() {
        String key = "metrics-" + UUID.randomUUID();
        String room = "live://metrics-" + UUID.randomUUID();
        producer.send(TestJob.push(cometA.server, 1000, "m", key));
        producer.send(TestJob.room(room, 1000, "m"));
        producer.flush();
        await().atMost(DELIVERED)
                .until(() -> pushedTo(cometA, key).size() == 1
                        && cometB.roomMessages(room).size() == 1);

        await().atMost(DELIVERED)
                .untilAsserted(() -> assertThat(TestJob.get(job, "/actuator/prometheus"))
                        .contains(
                                "goim_job_records_consumed_total",
                                "goim_job_pushes_total{type=\"PUSH\"}",
                                "goim_job_pushes_total{type=\"ROOM\"}",
                                "goim_job_room_batch_size_bucket",
                                "goim_job_comet_calls_seconds_bucket{method=\"PushMsg\",outcome=\"ok\",server=\""
                                        + cometA.server,
                                "goim_job_records_in_flight",
                                "kafka_consumer_fetch_manager_records_lag_max"));
    }

    private static List<PushMsgReq> pushedTo(FakeComet comet, String key) {
        return comet.pushes.stream().filter(r -> r.getKeys(0).equals(key)).toList();
    }

    private static List<BroadcastReq> broadcastTo(FakeComet comet, String msg) {
        return comet.broadcasts.stream()
                .filter(r -> FakeComet.inner(r.getProto()).getFirst().endsWith(":" + msg))
                .toList();
    }

    private static synchronized List<ConsumerRecord<String, byte[]>> deadLetters(String key) {
        deadLetterReader.poll(Duration.ofMillis(100)).forEach(deadLetters::add);
        return deadLetters.stream().filter(r -> key.equals(r.key())).toList();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static MeterRegistry meters() {
        return job.getBean(MeterRegistry.class);
    }

    private static double counter(String name, String tag, String value) {
        var counter = meters().find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
