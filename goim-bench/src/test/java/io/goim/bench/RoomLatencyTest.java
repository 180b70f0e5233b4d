package io.goim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The load tool against the bare broadcast server, over real sockets on loopback. */
class RoomLatencyTest {

    @Test
    void everyClientReceivesEveryPushAndTheReportSaysSo() throws Exception {
        try (BareBroadcastServer server = BareBroadcastServer.start(0, 0, 1)) {
            RoomLatency.Settings settings = new RoomLatency.Settings(
                    URI.create("ws://127.0.0.1:" + server.wsPort() + "/sub"),
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/goim/push/room?operation=1000"),
                    "live://1000",
                    50,
                    2,
                    4,
                    1,
                    Duration.ofMillis(50),
                    5000,
                    1);

            RoomLatency.Result result = RoomLatency.run(settings);

            assertThat(result.connected()).isEqualTo(50);
            assertThat(result.complete()).isTrue();
            LatencyReport report = LatencyReport.of(result);
            assertThat(report.last()).hasSize(4);
            for (int i = 0; i < 4; i++) {
                assertThat(report.first()[i]).isPositive().isLessThanOrEqualTo(report.last()[i]);
            }
            assertThat(report.every()).hasSize(4 * 50);
            assertThat(report.text()).contains("last client").contains("missing receipts: 0");
        }
    }

    @Test
    void aClientThatNeverGetsAPushIsReportedMissing() throws Exception {
        try (BareBroadcastServer server = BareBroadcastServer.start(0, 0, 1)) {
            RoomLatency.Settings settings = new RoomLatency.Settings(
                    URI.create("ws://127.0.0.1:" + server.wsPort() + "/sub"),
                    // a port nobody listens on: the HTTP send fails, nothing is delivered
                    URI.create("http://127.0.0.1:" + freePort() + "/goim/push/room"),
                    "live://1000",
                    3,
                    1,
                    1,
                    0,
                    Duration.ofMillis(10),
                    5000,
                    1);

            RoomLatency.Result result = RoomLatency.run(settings);

            assertThat(result.complete()).isFalse();
            assertThat(result.failedPushes()).isEqualTo(1);
            assertThat(result.missing()).isEqualTo(3);
            assertThat(result.report()).contains("failed pushes: 1; missing receipts: 3");
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void pushNumbersAreFoundInsideOpRawBatches() {
        io.netty.buffer.ByteBuf message = io.netty.buffer.Unpooled.buffer();
        byte[] other = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] push = Wire.body(42);
        Wire.writeHeader(message, Wire.OP_RAW, 0, 2 * Wire.HEADER + other.length + push.length);
        Wire.writeHeader(message, 1000, 0, other.length);
        message.writeBytes(other);
        Wire.writeHeader(message, 1000, 0, push.length);
        message.writeBytes(push);
        try {
            assertThat(Wire.pushNumber(message)).isEqualTo(42);
        } finally {
            message.release();
        }
    }
}
