package io.goim.logic;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** goim's logic: push and query API, session store, Kafka publisher, gRPC API for comets. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class LogicApplication {
    public static void main(String[] args) {
        SpringApplication.run(LogicApplication.class, args);
    }
}
