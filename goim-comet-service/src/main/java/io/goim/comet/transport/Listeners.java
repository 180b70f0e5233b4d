package io.goim.comet.transport;

import io.goim.comet.config.CometProperties;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Binds the configured client listeners at start; on shutdown drains them: new connections are
 * closed at once with the drain reason, the open ones are closed spread over the drain time so that
 * clients reconnect elsewhere gradually, then the ports are released. Stops after {@code
 * CometRegistration} has marked this comet offline (a higher phase stops first).
 */
@Component
public class Listeners implements SmartLifecycle {
    /** Stops after the Eureka offline mark and before the web server. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 100;

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final List<Listener> listeners;
    private final Connections connections;
    private final CometProperties.Drain drain;
    private volatile boolean running;

    Listeners(List<Listener> listeners, Connections connections, CometProperties properties) {
        this.listeners = listeners;
        this.connections = connections;
        this.drain = properties.drain();
    }

    @Override
    public void start() {
        listeners.forEach(Listener::bind);
        running = true;
    }

    @Override
    public void stop() {
        try {
            connections.drain(drain.time());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            listeners.forEach(Listener::unbind);
            running = false;
            log.info("listeners stopped");
        }
    }

    /** The bound port of each transport. */
    public Map<Transport, Integer> ports() {
        return listeners.stream().collect(Collectors.toMap(Listener::transport, Listener::port));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
