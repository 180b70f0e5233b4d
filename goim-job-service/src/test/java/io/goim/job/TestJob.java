package io.goim.job;

import com.google.protobuf.ByteString;
import io.goim.proto.logic.PushMsg;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts job as its own Spring application in the test JVM, and talks to it like logic would. */
final class TestJob {
    static final String TOPIC = "goim-push-topic";
    static final String GROUP = "goim-push-group-job";

    private TestJob() {}

    static ConfigurableApplicationContext start(String bootstrap, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--eureka.client.register-with-eureka=false",
                // Jersey is on the test classpath only for the test Eureka server: job's client
                // keeps the Spring HTTP client it uses in production
                "--eureka.client.jersey.enabled=false",
                "--eureka.client.registry-fetch-interval-seconds=1",
                "--goim.job.comet.refresh=500ms",
                "--goim.job.comet.call-timeout=2s",
                "--goim.job.comet.retry-backoff=20ms",
                "--goim.job.comet.max-retry-backoff=100ms",
                // room history runs against the shared Redis: the tests' rooms expire soon
                "--goim.job.history.meta-ttl=2m",
                "--goim.job.history.room.ttl=2m",
                "--goim.job.history.replay-ttl=2m"));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(JobApplication.class).run(args.toArray(String[]::new));
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** What logic publishes for a push to keys held by {@code server} (contract section 5). */
    static ProducerRecord<String, byte[]> push(String server, int op, String msg, String... keys) {
        PushMsg push = PushMsg.newBuilder()
                .setType(PushMsg.Type.PUSH)
                .setOperation(op)
                .setServer(server)
                .addAllKeys(List.of(keys))
                .setMsg(ByteString.copyFromUtf8(msg))
                .build();
        return new ProducerRecord<>(TOPIC, keys[0], push.toByteArray());
    }

    static ProducerRecord<String, byte[]> room(String room, int op, String msg) {
        PushMsg push = PushMsg.newBuilder()
                .setType(PushMsg.Type.ROOM)
                .setOperation(op)
                .setRoom(room)
                .setMsg(ByteString.copyFromUtf8(msg))
                .build();
        return new ProducerRecord<>(TOPIC, room, push.toByteArray());
    }

    static ProducerRecord<String, byte[]> broadcast(int op, int speed, String msg) {
        PushMsg push = PushMsg.newBuilder()
                .setType(PushMsg.Type.BROADCAST)
                .setOperation(op)
                .setSpeed(speed)
                .setMsg(ByteString.copyFromUtf8(msg))
                .build();
        return new ProducerRecord<>(TOPIC, Integer.toString(op), push.toByteArray());
    }

    /** The group's committed offsets now. */
    static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin) throws Exception {
        return admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata()
                .get();
    }

    static String get(ConfigurableApplicationContext job, String path) {
        String port = job.getEnvironment().getRequiredProperty("local.server.port");
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "";
        }
    }
}
