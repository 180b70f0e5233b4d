package io.goim.testeureka;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.netflix.eureka.server.EnableEurekaServer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Eureka registry inside a test JVM, on a free port, serving registrations at once. It lives
 * outside {@code io.goim.logic} so that logic's component scan never sees it, reads no
 * application.yml (logic's would make it reactive), and starts none of logic's servers.
 */
@SpringBootApplication
@EnableEurekaServer
public class TestEurekaServer {
    public static ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(TestEurekaServer.class)
                .web(WebApplicationType.SERVLET)
                .run(
                        "--spring.config.name=test-eureka-server",
                        "--spring.main.web-application-type=servlet",
                        "--spring.application.name=test-eureka",
                        "--server.port=0",
                        "--server.address=127.0.0.1",
                        "--spring.grpc.server.enabled=false",
                        "--spring.kafka.admin.auto-create=false",
                        "--spring.jmx.enabled=false",
                        "--eureka.client.register-with-eureka=false",
                        "--eureka.client.fetch-registry=false",
                        "--eureka.server.use-read-only-response-cache=false",
                        "--eureka.server.enable-self-preservation=false",
                        "--eureka.server.wait-time-in-ms-when-sync-empty=0",
                        "--eureka.server.response-cache-update-interval-ms=500");
    }

    public static String url(ConfigurableApplicationContext eureka) {
        return "http://127.0.0.1:" + eureka.getEnvironment().getProperty("local.server.port") + "/eureka/";
    }
}
