package io.goim.comet.rpc;

import io.goim.comet.config.CometProperties;
import io.goim.comet.session.Buckets;
import io.goim.comet.session.OnlineCounts;
import io.goim.proto.logic.OnlineReq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every 10 s (goim) reports this comet's room counts to logic's RenewOnline and keeps the cluster-wide
 * counts it returns for heartbeat replies (contract section 7). When logic answers that this
 * comet's sessions are missing in Redis, {@link SessionRewriter} writes them again.
 */
@Component
class OnlineReporter {
    private static final Logger log = LoggerFactory.getLogger(OnlineReporter.class);

    private final LogicClient logic;
    private final Buckets buckets;
    private final OnlineCounts online;
    private final SessionRewriter rewriter;
    private final String server;

    OnlineReporter(
            LogicClient logic,
            Buckets buckets,
            OnlineCounts online,
            SessionRewriter rewriter,
            CometProperties properties) {
        this.logic = logic;
        this.buckets = buckets;
        this.online = online;
        this.rewriter = rewriter;
        this.server = properties.server();
    }

    @Scheduled(
            initialDelayString = "${goim.comet.protocol.renew-online:10s}",
            fixedDelayString = "${goim.comet.protocol.renew-online:10s}")
    void renew() {
        OnlineReq request = OnlineReq.newBuilder()
                .setServer(server)
                .putAllRoomCount(buckets.roomCounts())
                .build();
        logic.renewOnline(request).whenComplete((reply, error) -> {
            if (error != null) {
                log.warn("renew online failed server={} error={}", server, error.toString());
            } else {
                online.update(reply.getAllRoomCountMap());
                if (reply.getRewriteSessions()) {
                    rewriter.rewrite();
                }
            }
        });
    }
}
