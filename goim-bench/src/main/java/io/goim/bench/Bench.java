package io.goim.bench;

import java.util.Arrays;

/** Entry point: {@code room-latency} or {@code bare-server}, then {@code --name value} options. */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("""
                    usage: java -jar goim-bench-exec.jar room-latency [options]
                             --ws ws://127.0.0.1:3102/sub   --clients 2000   --threads <cores>
                             --push 'http://127.0.0.1:3111/goim/push/room?operation=1000&type=live&room=1000'
                             --room live://1000   --pushes 60   --warmup 5   --interval-ms 1000
                             --connect-per-second 1000   --mid-base 1
                           java -jar goim-bench-exec.jar connect-storm [options]
                             --ws ws://127.0.0.1:3102/sub   --clients 18000   --connect-per-second 3000
                             --hold-ms 1000   --settle-ms 3000   --auth-timeout-ms 60000   --mid-base 1
                             --cpu comet=http://127.0.0.1:3108/actuator/prometheus,logic=http://127.0.0.1:3111/actuator/prometheus
                           java -jar goim-bench-exec.jar busy-room [options]
                             --clients 18000   --rate 40   --seconds 60   --deadline-ms 2000   --connect-per-second 3000
                             --push 'http://127.0.0.1:3111/goim/push/room?operation=1000&type=live&room=1000'
                             --cpu comet=http://127.0.0.1:3108/actuator/prometheus,...   --per-delivery comet
                           java -jar goim-bench-exec.jar mids-push [options]
                             --clients 10000   --rate 1000   --seconds 60   --pushers 16
                             --push 'http://127.0.0.1:3111/goim/push/mids?operation=1000&mids='   --cpu ...
                           (--cpu also takes name=pid:N, for a process without /actuator/prometheus)
                           java -jar goim-bench-exec.jar bare-server [--ws-port 3102] [--http-port 3111] [--threads <cores>]
                    """);
            System.exit(2);
        }
        Options options = new Options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "room-latency" -> {
                RoomLatency.Result result = RoomLatency.run(RoomLatency.Settings.from(options));
                System.out.println(result.report());
                System.exit(result.complete() ? 0 : 1);
            }
            case "connect-storm" -> {
                ConnectStorm.Result result = ConnectStorm.run(ConnectStorm.Settings.from(options));
                System.out.print(result.report());
                System.exit(result.complete() ? 0 : 1);
            }
            case "busy-room" -> {
                BusyRoom.Result result = BusyRoom.run(BusyRoom.Settings.from(options));
                System.out.print(result.report());
                System.exit(result.complete() ? 0 : 1);
            }
            case "mids-push" -> {
                MidsPush.Result result = MidsPush.run(MidsPush.Settings.from(options));
                System.out.print(result.report());
                System.exit(result.complete() ? 0 : 1);
            }
            case "bare-server" -> {
                try (BareBroadcastServer server = BareBroadcastServer.start(
                        options.integer("ws-port", 3102),
                        options.integer("http-port", 3111),
                        options.integer("threads", Runtime.getRuntime().availableProcessors()))) {
                    System.out.printf(
                            "bare broadcast server: ws://127.0.0.1:%d/sub, push with POST http://127.0.0.1:%d/%n",
                            server.wsPort(), server.httpPort());
                    server.awaitClose();
                }
            }
            default -> {
                System.err.println("unknown command: " + args[0]);
                System.exit(2);
            }
        }
    }
}
