package io.goim.logic.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * goim.js (README, Browser client and demo) against a scripted comet in node ({@code
 * src/test/js/goim.test.cjs}): its frames, recovery (docs/recovery.md), duplicates, a server
 * without recovery, the back-off. The real system in a real browser is goim-e2e-tests' BrowserIT.
 */
@EnabledIf(value = "nodeFound", disabledReason = "needs node (20 or newer) on the PATH; .ci/run installs it")
class GoimJsTest {
    static boolean nodeFound() {
        try {
            Process node = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            return node.waitFor(30, TimeUnit.SECONDS) && node.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void goimJsPassesItsTestsAgainstAScriptedComet() throws Exception {
        Process node = new ProcessBuilder("node", "--test", "src/test/js/goim.test.cjs")
                .redirectErrorStream(true)
                .start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS))
                .as("node --test finished")
                .isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).contains("# fail 0").containsPattern("# pass [1-9]");
    }
}
