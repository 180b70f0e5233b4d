package io.goim.logic.online;

import io.goim.logic.config.LogicProperties;
import io.goim.logic.node.CometDirectory;
import io.goim.logic.node.CometNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * goim's RenewOnline and onlineproc: a comet's room counts go to {@code ol_{server}}, and every
 * refresh period the counts of the comets that Eureka lists are summed into {@link RoomCounts}
 * (contract sections 4 and 7).
 */
@Service
public final class OnlineService {
    private static final Logger log = LoggerFactory.getLogger(OnlineService.class);

    private final ServerOnlineStore store;
    private final RoomCounts counts;
    private final CometDirectory comets;
    private final Duration deadline;
    private final Clock clock;
    private final AtomicBoolean loading = new AtomicBoolean();

    OnlineService(ServerOnlineStore store, RoomCounts counts, CometDirectory comets, LogicProperties properties) {
        this.store = store;
        this.counts = counts;
        this.comets = comets;
        this.deadline = properties.online().deadline();
        this.clock = Clock.systemUTC();
    }

    /** RenewOnline: stores the comet's counts and answers with the cluster-wide counts. */
    public Mono<Map<String, Integer>> renew(String server, Map<String, Integer> roomCount) {
        return store.write(server, roomCount, clock.instant().getEpochSecond()).then(Mono.fromSupplier(counts::all));
    }

    @Scheduled(fixedDelayString = "${goim.logic.online.refresh:10s}")
    void scheduledReload() {
        reload().subscribe(null, e -> {});
    }

    /**
     * Sums every listed comet's entries; on a Redis failure the previous counts stay (goim keeps
     * them too). Overlapping reloads are skipped.
     */
    public Mono<Void> reload() {
        return Mono.defer(() -> {
            if (!loading.compareAndSet(false, true)) {
                return Mono.empty();
            }
            List<String> servers =
                    comets.comets().stream().map(CometNode::serverId).distinct().toList();
            long now = clock.instant().getEpochSecond();
            return Flux.fromIterable(servers)
                    .flatMap(store::read)
                    .collect(ArrayList<ServerOnline>::new, ArrayList::addAll)
                    .doOnNext(entries -> counts.replace(RoomCounts.sum(entries, now, deadline.toSeconds())))
                    .doOnError(
                            e -> log.warn("room counts not reloaded servers={} error={}", servers.size(), e.toString()))
                    .doFinally(signal -> loading.set(false))
                    .then();
        });
    }
}
