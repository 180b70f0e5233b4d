package io.goim.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** goim-bench's executable jar run as users run it: a command, its options, its exit code and output. */
record LoadTool(int exitCode, String output) {
    static LoadTool run(String command, String... options) throws IOException, InterruptedException {
        String jar = System.getProperty("goim.jar.bench");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("goim-bench's executable jar is missing: " + jar);
        }
        List<String> line = new ArrayList<>(
                List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-jar", jar, command));
        line.addAll(List.of(options));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        byte[] out;
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not end within 90 s");
            }
        } finally {
            out = process.getInputStream().readAllBytes();
        }
        String output = new String(out, StandardCharsets.UTF_8);
        System.out.println(output);
        return new LoadTool(process.exitValue(), output);
    }
}
