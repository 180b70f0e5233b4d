package io.goim.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * At least once across a crash (contract section 8: goim commits before it pushes and loses what it
 * had not pushed). A job consumes records while its comet refuses every call, so nothing is pushed;
 * it is stopped; a new job with the same group delivers every record. Duplicates are allowed and
 * counted. Comets come from Spring Cloud's simple discovery here: this test is about Kafka, and the
 * class keeps to one broker and no Eureka.
 */
class JobCrashIT {
    private static final Logger log = LoggerFactory.getLogger(JobCrashIT.class);
    private static final String SERVER = "crash-comet";
    private static final int PUSHES = 20;
    private static final int ROOM_MESSAGES = 10;

    @Test
    void recordsAStoppedJobConsumedButDidNotPushAreDeliveredByTheNextJob() throws Exception {
        EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 1, TestJob.TOPIC);
        kafka.afterPropertiesSet();
        String bootstrap = kafka.getBrokersAsString();
        try (FakeComet comet = new FakeComet(SERVER);
                KafkaProducer<String, byte[]> producer = TestJob.producer(bootstrap);
                Admin admin = TestJob.admin(bootstrap)) {
            String[] discovery = {
                "--eureka.client.enabled=false",
                "--spring.cloud.discovery.client.simple.instances.goim-comet[0].uri=http://127.0.0.1:" + comet.port(),
                "--spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata[server.id]=" + SERVER,
                "--spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata[grpc.port]=" + comet.port()
            };
            comet.refuseNext(Integer.MAX_VALUE);
            ConfigurableApplicationContext first =
                    started(bootstrap, with(discovery, "--goim.job.comet.retries=1000000"));

            List<String> pushes =
                    IntStream.range(0, PUSHES).mapToObj(i -> "push#" + i).toList();
            List<String> roomMessages =
                    IntStream.range(0, ROOM_MESSAGES).mapToObj(i -> "room#" + i).toList();
            pushes.forEach(msg -> producer.send(TestJob.push(SERVER, 1000, msg, "crash-key")));
            roomMessages.forEach(msg -> producer.send(TestJob.room("live://crash", 1001, msg)));
            producer.flush();

            // consumed, handed to the comet's lane, refused: nothing pushed, nothing committed
            MeterRegistry firstMeters = first.getBean(MeterRegistry.class);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> firstMeters
                                            .get("goim.job.records.consumed")
                                            .counter()
                                            .count()
                                    == PUSHES + ROOM_MESSAGES
                            && comet.refused.get() > 3);
            first.close();
            assertThat(comet.pushes).isEmpty();
            assertThat(comet.rooms).isEmpty();
            assertThat(committedOffset(admin))
                    .as("nothing committed by the stopped job")
                    .isZero();

            comet.refuseNext(0);
            ConfigurableApplicationContext second = started(bootstrap, discovery);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> new HashSet<>(pushed(comet)).containsAll(pushes)
                                && new HashSet<>(comet.roomMessages("live://crash"))
                                        .containsAll(roomMessages.stream()
                                                .map(m -> "1001:" + m)
                                                .toList()));
                int received = pushed(comet).size()
                        + comet.roomMessages("live://crash").size();
                int duplicates = received - PUSHES - ROOM_MESSAGES;
                log.info("crash test: delivered={} duplicates={}", received, duplicates);
                assertThat(duplicates).as("duplicates").isGreaterThanOrEqualTo(0);
                // the second job delivers in logic's order, and commits everything once pushed
                assertThat(pushed(comet)).containsExactlyElementsOf(pushes);
                await().atMost(Duration.ofSeconds(30)).until(() -> committedOffset(admin) == PUSHES + ROOM_MESSAGES);
            } finally {
                second.close();
            }
        } finally {
            kafka.destroy();
        }
    }

    /**
     * The same with a real crash: a job process started from the executable jar is killed with
     * SIGKILL while its comet refuses every call, so it cannot run any shutdown code.
     */
    @Test
    void recordsAKilledJobProcessConsumedAreDeliveredByTheNextJob() throws Exception {
        EmbeddedKafkaKraftBroker kafka = new EmbeddedKafkaKraftBroker(1, 1, TestJob.TOPIC);
        kafka.afterPropertiesSet();
        String bootstrap = kafka.getBrokersAsString();
        Process killed = null;
        try (FakeComet comet = new FakeComet(SERVER);
                KafkaProducer<String, byte[]> producer = TestJob.producer(bootstrap);
                Admin admin = TestJob.admin(bootstrap)) {
            List<String> discovery = List.of(
                    "--eureka.client.enabled=false",
                    "--spring.cloud.discovery.client.simple.instances.goim-comet[0].uri=http://127.0.0.1:"
                            + comet.port(),
                    "--spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata[server.id]=" + SERVER,
                    "--spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata[grpc.port]="
                            + comet.port());
            comet.refuseNext(Integer.MAX_VALUE);
            List<String> command = new ArrayList<>(List.of(
                    java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(),
                    "-Xmx256m",
                    "-jar",
                    System.getProperty("goim.jar.job"),
                    "--server.port=0",
                    "--spring.kafka.bootstrap-servers=" + bootstrap,
                    "--goim.job.comet.retries=1000000",
                    // room history runs against the shared Redis: this test's rooms expire soon (as TestJob's)
                    "--goim.job.history.meta-ttl=2m",
                    "--goim.job.history.room.ttl=2m",
                    "--goim.job.history.replay-ttl=2m"));
            command.addAll(discovery);
            killed = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(
                            java.nio.file.Path.of("target", "killed-job.log").toFile())
                    .start();

            List<String> pushes =
                    IntStream.range(0, PUSHES).mapToObj(i -> "kill#" + i).toList();
            pushes.forEach(msg -> producer.send(TestJob.push(SERVER, 1000, msg, "kill-key")));
            producer.flush();
            // the process consumed records and keeps trying to push them
            await().atMost(Duration.ofSeconds(60)).until(() -> comet.refused.get() > 3);
            killed.destroyForcibly().waitFor();
            assertThat(comet.pushes).isEmpty();
            assertThat(committedOffset(admin))
                    .as("nothing committed by the killed job")
                    .isZero();

            comet.refuseNext(0);
            ConfigurableApplicationContext second = started(bootstrap, discovery.toArray(String[]::new));
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(pushed(comet)).containsAll(pushes));
                assertThat(pushed(comet)).containsExactlyElementsOf(pushes);
                await().atMost(Duration.ofSeconds(30)).until(() -> committedOffset(admin) == PUSHES);
            } finally {
                second.close();
            }
        } finally {
            if (killed != null) {
                killed.destroyForcibly();
            }
            kafka.destroy();
        }
    }

    private static ConfigurableApplicationContext started(String bootstrap, String... args) {
        ConfigurableApplicationContext job = TestJob.start(bootstrap, args);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> TestJob.get(job, "/actuator/health").contains(SERVER));
        return job;
    }

    private static List<String> pushed(FakeComet comet) {
        List<String> out = new ArrayList<>();
        comet.pushes.forEach(
                r -> out.add(FakeComet.inner(r.getProto()).getFirst().substring("1000:".length())));
        return out;
    }

    private static long committedOffset(Admin admin) throws Exception {
        OffsetAndMetadata committed = TestJob.committed(admin).get(new TopicPartition(TestJob.TOPIC, 0));
        return committed == null ? 0 : committed.offset();
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }
}
