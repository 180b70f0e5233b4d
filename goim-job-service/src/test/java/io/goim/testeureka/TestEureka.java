package io.goim.testeureka;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.netflix.eureka.server.EnableEurekaServer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Eureka server on a random port, in the test JVM, and goim comets registered through its REST
 * API as a comet registers itself (contract section 7: metadata {@code server.id} and {@code
 * grpc.port}). It lives outside {@code io.goim.job} so that job's component scan never sees it.
 */
public final class TestEureka implements AutoCloseable {
    private static final String APP = "GOIM-COMET";

    private final ConfigurableApplicationContext context;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableEurekaServer
    static class Server {}

    private TestEureka(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    public static TestEureka start() {
        return new TestEureka(new SpringApplicationBuilder(Server.class)
                .web(WebApplicationType.SERVLET)
                .run(
                        // not job's application.yml: this is another service
                        "--spring.config.name=goim-test-eureka",
                        "--spring.main.web-application-type=servlet",
                        "--spring.application.name=goim-test-eureka",
                        "--server.address=127.0.0.1",
                        "--server.port=0",
                        "--spring.autoconfigure.exclude="
                                + "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration,"
                                + "org.springframework.boot.kafka.autoconfigure.metrics.KafkaMetricsAutoConfiguration",
                        // a registry alone: its only "peer" is itself (same host name), so it replicates
                        // to nobody
                        "--eureka.instance.hostname=goim-test-eureka",
                        "--eureka.client.service-url.defaultZone=http://goim-test-eureka:1/eureka/",
                        "--eureka.client.register-with-eureka=false",
                        "--eureka.client.fetch-registry=false",
                        "--eureka.server.use-read-only-response-cache=false",
                        "--eureka.server.enable-self-preservation=false",
                        "--eureka.server.wait-time-in-ms-when-sync-empty=0"));
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/eureka/";
    }

    /** Registers a comet as UP with its server id and gRPC port. */
    public void register(String server, int grpcPort) throws Exception {
        String instance = """
                {"instance": {
                  "instanceId": "%1$s", "hostName": "127.0.0.1", "app": "%2$s", "ipAddr": "127.0.0.1",
                  "vipAddress": "goim-comet", "secureVipAddress": "goim-comet", "status": "UP",
                  "port": {"$": %3$d, "@enabled": "true"}, "securePort": {"$": 443, "@enabled": "false"},
                  "dataCenterInfo": {"@class": "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo",
                                     "name": "MyOwn"},
                  "leaseInfo": {"renewalIntervalInSecs": 30, "durationInSecs": 300},
                  "metadata": {"server.id": "%1$s", "grpc.port": "%3$d"}
                }}
                """.formatted(server, APP, grpcPort);
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url() + "apps/" + APP))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(instance))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    "register " + server + ": " + response.statusCode() + " " + response.body());
        }
    }

    public void deregister(String server) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url() + "apps/" + APP + "/" + server))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("deregister " + server + ": " + response.statusCode());
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
