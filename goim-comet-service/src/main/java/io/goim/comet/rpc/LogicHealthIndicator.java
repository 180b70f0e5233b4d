package io.goim.comet.rpc;

import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} shows the logic instances comet can authenticate connections with. Down
 * when there is none: no client can get in then.
 */
@Component("logic")
class LogicHealthIndicator implements HealthIndicator {
    private final LogicClient logic;

    LogicHealthIndicator(LogicClient logic) {
        this.logic = logic;
    }

    @Override
    public Health health() {
        List<String> addresses = logic.addresses();
        Health.Builder health = addresses.isEmpty() ? Health.down() : Health.up();
        return health.withDetail("count", addresses.size())
                .withDetail("addresses", addresses)
                .build();
    }
}
