package io.goim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** connect-storm, busy-room and mids-push against the bare broadcast server, over real sockets. */
class LoadCasesTest {

    private static URI ws(BareBroadcastServer server) {
        return URI.create("ws://127.0.0.1:" + server.wsPort() + "/sub");
    }

    @Test
    void aConnectStormCountsEveryAuthenticatedClient() throws Exception {
        try (BareBroadcastServer server = BareBroadcastServer.start(0, 0, 1)) {
            ConnectStorm.Result result = ConnectStorm.run(
                    new ConnectStorm.Settings(ws(server), "live://1", 200, 1, 1000, 1, 0, 10_000, 0, ""));

            assertThat(result.complete()).isTrue();
            assertThat(result.authenticated()).isEqualTo(200);
            assertThat(result.authMillis()).hasSize(200);
            assertThat(result.report()).contains("authenticated 200, closed by the server 0");
        }
    }

    @Test
    void aConnectStormToNobodyCountsFailures() throws Exception {
        URI nobody = URI.create("ws://127.0.0.1:" + freePort() + "/sub");
        ConnectStorm.Result result =
                ConnectStorm.run(new ConnectStorm.Settings(nobody, "live://1", 20, 1, 1000, 1, 0, 10_000, 0, ""));

        assertThat(result.complete()).isFalse();
        assertThat(result.failed()).isEqualTo(20);
        assertThat(result.authenticated()).isZero();
    }

    @Test
    void aBusyRoomDeliversEveryPushToEveryClientOnce() throws Exception {
        try (BareBroadcastServer server = BareBroadcastServer.start(0, 0, 1)) {
            String pid = Long.toString(ProcessHandle.current().pid());
            BusyRoom.Result result = BusyRoom.run(new BusyRoom.Settings(
                    ws(server),
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/goim/push/room?operation=1000"),
                    "live://1",
                    100,
                    1000,
                    20,
                    1,
                    2000,
                    1,
                    1,
                    "self=pid:" + pid,
                    "self"));

            assertThat(result.complete()).isTrue();
            assertThat(result.delivered()).isEqualTo(100L * 20);
            assertThat(result.inTime()).isEqualTo(100L * 20);
            assertThat(result.duplicates()).isZero();
            assertThat(result.cpuNanos()).containsKey("self");
            assertThat(result.report()).contains("delivered 2000 of 2000").contains("per delivery");
        }
    }

    @Test
    void pushesByMidsReachTheirUserOnly() throws Exception {
        try (BareBroadcastServer server = BareBroadcastServer.start(0, 0, 1)) {
            MidsPush.Result result = MidsPush.run(new MidsPush.Settings(
                    ws(server),
                    "http://127.0.0.1:" + server.httpPort() + "/goim/push/mids?operation=1000&mids=",
                    "",
                    50,
                    1000,
                    100,
                    1,
                    4,
                    1000,
                    1,
                    ""));

            assertThat(result.complete()).isTrue();
            assertThat(result.delivered()).isEqualTo(100);
            assertThat(result.misdelivered()).isZero();
            assertThat(result.latency().count()).isEqualTo(100);
        }
    }

    @Test
    void everyPushOfAMergedBatchIsFound() {
        ByteBuf message = Unpooled.buffer();
        byte[] first = Wire.body(7);
        byte[] second = Wire.body(8);
        Wire.writeHeader(message, Wire.OP_RAW, 0, 2 * Wire.HEADER + first.length + second.length);
        Wire.writeHeader(message, 1000, 0, first.length);
        message.writeBytes(first);
        Wire.writeHeader(message, 1000, 0, second.length);
        message.writeBytes(second);
        List<Integer> pushes = new ArrayList<>();

        Wire.forEachPush(message, pushes::add);

        assertThat(pushes).containsExactly(7, 8);
        message.release();
    }

    @Test
    void latencyPercentilesComeFromTheBuckets() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            histogram.record(ms * 1_000_000L - 1);
        }
        assertThat(histogram.count()).isEqualTo(100);
        assertThat(histogram.percentile(0.5)).isEqualTo(50.0);
        assertThat(histogram.percentile(0.99)).isEqualTo(99.0);
        assertThat(histogram.percentile(1)).isEqualTo(100.0);
    }

    @Test
    void aPrometheusPageIsSummedOverLabels() {
        String page = """
                # HELP process_cpu_time_ns_total x
                process_cpu_time_ns_total 1.5E9
                process_cpu_time_ns_total_other 7
                jvm_memory_used_bytes{area="heap",id="a"} 10.0
                jvm_memory_used_bytes{area="heap",id="b"} 5.0
                """;
        assertThat(ServiceCpu.sum(page, "process_cpu_time_ns_total")).isEqualTo(1.5e9);
        assertThat(ServiceCpu.sum(page, "jvm_memory_used_bytes")).isEqualTo(15.0);
        assertThat(ServiceCpu.sum(page, "absent")).isNull();
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
