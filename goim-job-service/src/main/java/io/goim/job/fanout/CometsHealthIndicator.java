package io.goim.job.fanout;

import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} shows the comets job knows now, by server id, and under {@code
 * unreachable} those it cannot connect to (their calls are skipped). job stays UP: a dead comet is
 * the comet's fault, not job's.
 */
@Component("comets")
final class CometsHealthIndicator implements HealthIndicator {
    private final CometRegistry comets;

    CometsHealthIndicator(CometRegistry comets) {
        this.comets = comets;
    }

    @Override
    public Health health() {
        Map<String, String> known = comets.addresses();
        return Health.up()
                .withDetail("count", known.size())
                .withDetails(Map.copyOf(known))
                .withDetail("unreachable", comets.unreachable())
                .build();
    }
}
