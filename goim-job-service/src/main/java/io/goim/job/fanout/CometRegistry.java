package io.goim.job.fanout;

import io.goim.job.config.JobProperties;
import io.goim.proto.contract.DiscoveryMetadata;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The comets that discovery lists, by server id, each with one reused gRPC channel and its own {@link
 * CometLane}. Comets are picked up and dropped as Eureka's view changes, without a restart (contract
 * section 7: a comet registers its server id and gRPC port as metadata). Calls still queued for a
 * comet that left are given up (dead-lettered): its clients are gone with it. A comet that left is
 * remembered for {@link #DEPARTED_KEPT}: pushes to its connections (sessions outlive their comet
 * until they expire) are skipped and counted, not dead-lettered, while a push to a server job has
 * never seen (a comet that joined but is not in job's view yet) is still dead-lettered.
 */
@Component
final class CometRegistry implements DisposableBean {
    static final String SERVER_ID = DiscoveryMetadata.SERVER_ID;
    static final String GRPC_PORT = DiscoveryMetadata.GRPC_PORT;
    private static final Logger log = LoggerFactory.getLogger(CometRegistry.class);
    /** logic's sessions live 30 min by default (goim.logic.session.expire): twice that. */
    static final Duration DEPARTED_KEPT = Duration.ofHours(1);

    private final DiscoveryClient discovery;
    private final GrpcChannelFactory channels;
    private final JobProperties.Comet settings;
    private final MeterRegistry meters;
    private final Map<String, CometLane> lanes = new ConcurrentHashMap<>();
    /** Server id → when it left discovery (nanoTime). */
    private final Map<String, Long> departed = new ConcurrentHashMap<>();
    /** Back-off timers of the lanes' retries. */
    private final ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("goim-comet-retry").daemon().factory());
    /** Where finished calls are reported: their dependents may block (a dead letter's send). */
    private final ExecutorService completions = Executors.newVirtualThreadPerTaskExecutor();

    private volatile boolean closed;

    CometRegistry(
            DiscoveryClient discovery, GrpcChannelFactory channels, JobProperties properties, MeterRegistry meters) {
        this.discovery = discovery;
        this.channels = channels;
        this.settings = properties.comet();
        this.meters = meters;
        meters.gauge("goim.job.comets", lanes, Map::size);
    }

    Optional<CometLane> lane(String server) {
        return Optional.ofNullable(lanes.get(server));
    }

    /** Whether the comet left discovery within {@link #DEPARTED_KEPT} and has not come back. */
    boolean departed(String server) {
        return departed.containsKey(server);
    }

    /** The comets known now; a room push or broadcast goes to each. */
    List<CometLane> lanes() {
        return List.copyOf(lanes.values());
    }

    /** Server id → gRPC address of the comets known now. */
    Map<String, String> addresses() {
        Map<String, String> view = new HashMap<>();
        lanes.forEach((server, lane) -> view.put(server, lane.comet().address()));
        return view;
    }

    /** The server ids of the comets job cannot connect to now (their calls are skipped). */
    List<String> unreachable() {
        return lanes.values().stream()
                .filter(CometLane::down)
                .map(lane -> lane.comet().server())
                .sorted()
                .toList();
    }

    /** Eureka fetched its registry: look again at once. */
    @EventListener(HeartbeatEvent.class)
    void onRegistryFetched() {
        refresh();
    }

    @Scheduled(fixedDelayString = "${goim.job.comet.refresh}")
    synchronized void refresh() {
        if (closed) {
            return;
        }
        Map<String, String> seen = new HashMap<>();
        for (ServiceInstance instance : discovery.getInstances(settings.serviceId())) {
            String server = instance.getMetadata().get(SERVER_ID);
            String port = instance.getMetadata().get(GRPC_PORT);
            if (server == null || port == null) {
                continue;
            }
            seen.put(server, instance.getHost() + ":" + port);
        }
        seen.forEach((server, address) -> {
            CometLane known = lanes.get(server);
            if (known == null || !known.comet().address().equals(address)) {
                Comet comet = new Comet(server, address, channels.createChannel("static://" + address));
                // connect now, not on the first push: that push would pay for TCP and HTTP/2 set-up
                comet.channel().getState(true);
                lanes.put(server, new CometLane(comet, settings, meters, retryTimer, completions));
                departed.remove(server);
                if (known != null) {
                    drop(known);
                }
                log.info("comet joined server={} address={}", server, address);
            }
        });
        lanes.values().removeIf(lane -> {
            if (seen.containsKey(lane.comet().server())) {
                return false;
            }
            drop(lane);
            departed.put(lane.comet().server(), System.nanoTime());
            log.info("comet left server={}", lane.comet().server());
            return true;
        });
        long now = System.nanoTime();
        departed.values().removeIf(left -> now - left > DEPARTED_KEPT.toNanos());
    }

    private static void drop(CometLane lane) {
        lane.close(CallOutcome.FAILED);
        lane.comet().channel().shutdown();
    }

    @Override
    public synchronized void destroy() {
        closed = true;
        lanes.values().forEach(lane -> {
            lane.close(CallOutcome.ABANDONED);
            lane.comet().channel().shutdownNow();
        });
        lanes.clear();
        retryTimer.shutdownNow();
        completions.shutdown();
    }
}
