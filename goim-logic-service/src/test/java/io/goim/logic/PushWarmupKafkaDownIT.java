package io.goim.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A warm-up against a Kafka that does not answer stops after a few failed pushes and says so. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "eureka.client.enabled=false",
            "spring.kafka.admin.auto-create=false",
            "goim.logic.warmup.pushes=2000",
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].uri=http://127.0.0.1:3109",
            "spring.cloud.discovery.client.simple.instances.goim-comet[0].metadata.[server.id]=warmup-down-comet",
        })
@ExtendWith(OutputCaptureExtension.class)
// its producer keeps dialling the dead broker: close the context after the class
@DirtiesContext
class PushWarmupKafkaDownIT {
    private static final int KAFKA_PORT = TestRedis.freePort();

    @DynamicPropertySource
    static void deadKafka(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", TestRedis::port);
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA_PORT);
    }

    @Test
    void stopsAfterAFewFailuresInsteadOfWaitingOutEveryPush(CapturedOutput output) {
        Pattern stopped = Pattern.compile("push warm-up stopped sent=(\\d+) failed=(\\d+)");
        Matcher m = await().atMost(Duration.ofSeconds(30)).until(() -> stopped.matcher(output.getOut()), Matcher::find);

        int sent = Integer.parseInt(m.group(1));
        int failed = Integer.parseInt(m.group(2));
        assertThat(failed).isGreaterThanOrEqualTo(10);
        // at most the pushes under way when the tenth failure came, not the 2,000 asked for
        assertThat(sent).isLessThan(20);
        assertThat(output.getOut()).doesNotContain("push warm-up done");
    }
}
