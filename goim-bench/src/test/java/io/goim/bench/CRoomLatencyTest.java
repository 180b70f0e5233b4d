package io.goim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C client (src/main/c/room_latency.c), built with the machine's gcc, against the bare
 * broadcast server over real sockets. Where there is no gcc (the services need only a JDK) the
 * test is skipped, not passed.
 */
class CRoomLatencyTest {

    @Test
    void theCClientCountsEveryReceiptOfEveryPush(@TempDir Path dir) throws Exception {
        assumeTrue(new File("/usr/bin/gcc").canExecute(), "gcc is not installed");
        Path binary = dir.resolve("room-latency");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), "src/main/c/room_latency.c")
                .redirectErrorStream(true)
                .start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue())
                .as(new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();

        try (BareBroadcastServer server = BareBroadcastServer.start(0, 0, 1)) {
            Process run = new ProcessBuilder(
                            binary.toString(),
                            Integer.toString(server.wsPort()),
                            Integer.toString(server.httpPort()),
                            "/goim/push/room?operation=1000",
                            "40",
                            "3",
                            "1",
                            "50")
                    .redirectErrorStream(true)
                    .start();
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(run.exitValue()).as(out).isZero();
            assertThat(out)
                    .contains("40 of 40 clients")
                    .contains("missing receipts: 0")
                    .containsPattern("last client +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +3\\n")
                    .containsPattern("every receipt +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +120\\n");
        }
    }
}
