package io.goim.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A broker that was there and goes away: pushes answer -500 within {@code timeouts.kafka}, side by
 * side, never after the producer's 2 s of max.block.ms. Once the broker is gone the producer can
 * lose the topic's metadata at once, and {@code send} then blocks until max.block.ms: sending on
 * the push API's event loop after acknowledged sends (tried for its CPU, README "Measured so far")
 * held the loop 2 s here.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.grpc.server.port=0", "eureka.client.enabled=false"})
@AutoConfigureWebTestClient
// its producer keeps dialling the dead broker: close the context after the class
@DirtiesContext
class KafkaLostIT {
    private static final EmbeddedKafkaKraftBroker KAFKA =
            new EmbeddedKafkaKraftBroker(1, 4, "goim-push-topic", "goim-upstream-topic");
    private static final long ONE_SECOND_NANOS = Duration.ofSeconds(1).toNanos();

    static {
        KAFKA.afterPropertiesSet();
    }

    @Autowired
    WebTestClient http;

    @DynamicPropertySource
    static void parts(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", TestRedis::port);
        registry.add("spring.kafka.bootstrap-servers", KAFKA::getBrokersAsString);
    }

    private static boolean stopped;

    private static synchronized void stopBroker() {
        if (!stopped) {
            stopped = true;
            KAFKA.destroy();
        }
    }

    @AfterAll
    static void stopBrokerAfterAll() {
        stopBroker();
    }

    private TimedAnswer push(String room) {
        return TimedAnswer.post(http, "/goim/push/room?operation=1000&type=live&room=" + room);
    }

    @Test
    void aBrokerGoneAfterAcknowledgingAnswersMinus500WithinOneSecondSideBySide() {
        // acknowledged sends: the producer knows the topic
        for (int i = 0; i < 5; i++) {
            TimedAnswer up = push("lost-" + i);
            assertThat(up.code()).as(up.message()).isZero();
        }

        stopBroker();

        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<TimedAnswer>> sideBySide = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String room = "gone-" + round + "-" + i;
                sideBySide.add(CompletableFuture.supplyAsync(() -> push(room)));
            }
            for (CompletableFuture<TimedAnswer> pending : sideBySide) {
                TimedAnswer down = pending.join();
                assertThat(down.code()).as(down.message()).isEqualTo(-500);
                assertThat(down.nanos()).as("answered in ns").isLessThan(ONE_SECOND_NANOS);
            }
        }
    }
}
