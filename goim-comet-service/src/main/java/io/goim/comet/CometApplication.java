package io.goim.comet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** goim's comet: holds client connections, speaks goim frames, serves gRPC to job. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class CometApplication {
    public static void main(String[] args) {
        SpringApplication.run(CometApplication.class, args);
    }
}
