package io.goim.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Which images the stack runs on, as the variables of docker-compose.yml and docker/build-images.sh
 * name them. The goim images are the ones just built. For the others: the variable when the
 * environment sets it, else the local stand-in that docker/local/build-stand-ins.sh built (its
 * .docker-local/images.env) when the engine has it, else nothing: the public image that
 * docker-compose.yml and the Dockerfile name.
 */
final class StackImages {
    private static final String[] PUBLIC_ONES = {"GOIM_BASE_IMAGE", "KAFKA_IMAGE", "REDIS_IMAGE", "PROMETHEUS_IMAGE"};

    private StackImages() {}

    static Map<String, String> thirdParty(DockerClient docker, Path root) throws IOException {
        Properties standIns = new Properties();
        Path file = root.resolve(".docker-local/images.env");
        if (Files.isRegularFile(file)) {
            try (var reader = Files.newBufferedReader(file)) {
                standIns.load(reader);
            }
        }
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String variable : PUBLIC_ONES) {
            String given = System.getenv(variable);
            String standIn = standIns.getProperty(variable);
            if (given != null && !given.isBlank()) {
                chosen.put(variable, given);
            } else if (standIn != null && exists(docker, standIn)) {
                chosen.put(variable, standIn);
            }
        }
        return chosen;
    }

    static Map<String, String> goim(String version) {
        return Map.of(
                "GOIM_EUREKA_IMAGE", "goim-jvm/eureka-server:" + version,
                "GOIM_LOGIC_IMAGE", "goim-jvm/logic:" + version,
                "GOIM_JOB_IMAGE", "goim-jvm/job:" + version,
                "GOIM_COMET_IMAGE", "goim-jvm/comet:" + version);
    }

    private static boolean exists(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
