package io.goim.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import redis.embedded.RedisServer;

/**
 * Redis and Kafka that do not answer: the API answers code -500 within 1 s instead of hanging,
 * and works again by itself once Redis is back.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "eureka.client.enabled=false",
            // no broker: creating topics would only wait for it
            "spring.kafka.admin.auto-create=false"
        })
@AutoConfigureWebTestClient
// its producer keeps dialling the dead broker: close the context after the class
@DirtiesContext
class DependencyDownIT {
    private static final int REDIS_PORT = TestRedis.freePort();
    private static final int KAFKA_PORT = TestRedis.freePort();
    private static final long ONE_SECOND_NANOS = Duration.ofSeconds(1).toNanos();

    @Autowired
    WebTestClient http;

    @DynamicPropertySource
    static void deadEnds(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", () -> REDIS_PORT);
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA_PORT);
    }

    @BeforeEach
    void warmUpTheHttpPath() {
        // what is measured is the bound on Redis and Kafka, not the JVM loading the web stack
        http.get()
                .uri("/goim/online/total")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo(0);
    }

    @Test
    void redisDownAnswersMinus500WithinOneSecondAndRecoversWhenItReturns() throws IOException {
        for (int i = 0; i < 3; i++) {
            TimedAnswer answer = TimedAnswer.post(http, "/goim/push/keys?operation=1000&keys=k-down");
            assertThat(answer.code()).as(answer.message()).isEqualTo(-500);
            assertThat(answer.nanos()).as("answered in ns").isLessThan(ONE_SECOND_NANOS);
        }

        RedisServer redis = RedisServer.newRedisServer()
                .port(REDIS_PORT)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        redis.start();
        try {
            // nobody holds the key: a working Redis answers 0 without touching Kafka
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> TimedAnswer.post(http, "/goim/push/keys?operation=1000&keys=k-down")
                                    .code()
                            == 0);
        } finally {
            redis.stop();
        }
    }

    @Test
    void kafkaDownAnswersMinus500WithinOneSecond() {
        for (int i = 0; i < 3; i++) {
            TimedAnswer answer = TimedAnswer.post(http, "/goim/push/room?operation=1000&type=live&room=down");
            assertThat(answer.code()).as(answer.message()).isEqualTo(-500);
            assertThat(answer.nanos()).as("answered in ns").isLessThan(ONE_SECOND_NANOS);
        }
    }
}
