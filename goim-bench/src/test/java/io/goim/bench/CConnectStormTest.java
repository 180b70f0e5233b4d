package io.goim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C connect storm (src/main/c/connect_storm.c), built with the machine's gcc, against the bare
 * broadcast server over real sockets. Where there is no gcc the test is skipped, not passed.
 */
class CConnectStormTest {
    @TempDir
    static Path dir;

    private static Path binary;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(new File("/usr/bin/gcc").canExecute(), "gcc is not installed");
        binary = dir.resolve("connect-storm");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", binary.toString(), "src/main/c/connect_storm.c")
                .redirectErrorStream(true)
                .start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue())
                .as(new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
    }

    private static Run run(int port, int clients) throws Exception {
        Process run = new ProcessBuilder(
                        binary.toString(), Integer.toString(port), Integer.toString(clients), "500", "0", "1")
                .redirectErrorStream(true)
                .start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(run.exitValue(), new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Run(int exit, String out) {}

    @Test
    void everyClientOfTheStormIsCountedAuthenticated() throws Exception {
        try (BareBroadcastServer server = BareBroadcastServer.start(0, 0, 1)) {
            Run run = run(server.wsPort(), 60);

            assertThat(run.exit()).as(run.out()).isZero();
            assertThat(run.out())
                    .contains("connect-storm: 60 clients at 500/s")
                    .contains("authenticated 60, closed by the server 0 {}, failed 0")
                    .containsPattern("connect to op 8, ms: p50 \\d+ +p90 \\d+ +p99 \\d+ +max \\d+");
        }
    }

    @Test
    void clientsThatCannotConnectAreCountedFailed() throws Exception {
        int nobody;
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            nobody = socket.getLocalPort();
        }
        Run run = run(nobody, 10);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("authenticated 0, closed by the server 0 {}, failed 10");
    }
}
