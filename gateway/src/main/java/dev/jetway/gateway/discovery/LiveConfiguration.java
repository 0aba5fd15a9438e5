package dev.jetway.gateway.discovery;

import dev.jetway.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running configuration: jetway.yaml as written, with what the discovery sources found filled in, applied through
 * the gateway's live reload (so a pod joining or leaving is handled exactly like an edit of jetway.yaml: no request
 * dropped, endpoints that stay keep their state). Changes are debounced: a burst of events is applied once.
 */
public final class LiveConfiguration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveConfiguration.class);

    private final List<Discovery> sources;
    private final Debouncer debouncer;
    private volatile GatewayConfig written;
    private volatile Consumer<GatewayConfig> apply;
    private volatile GatewayConfig applied; // what the gateway runs; changed only under this object's lock

    /**
     * Starts watching what {@code written} asks for; nothing is applied before {@link #start}. A source that cannot
     * start (an endpoints file that does not load) throws here.
     */
    public LiveConfiguration(GatewayConfig written, List<Discovery> sources, Duration debounce) {
        this.written = written;
        this.sources = List.copyOf(sources);
        this.debouncer = new Debouncer("discovery-apply", debounce, this::applyNow);
        for (Discovery d : this.sources) {
            d.watch(written, debouncer::signal);
        }
    }

    /** jetway.yaml with every source's current view filled in. */
    public GatewayConfig current() {
        GatewayConfig c = written;
        for (Discovery d : sources) {
            c = d.applyTo(c);
        }
        return c;
    }

    /**
     * From now on, every change is handed to {@code applier} (the gateway's reload); {@code running} is what the
     * gateway runs now (it started with {@link #current}).
     */
    public synchronized LiveConfiguration start(GatewayConfig running, Consumer<GatewayConfig> applier) {
        this.applied = running;
        this.apply = applier;
        debouncer.signal(); // whatever arrived between current() and now
        return this;
    }

    /**
     * jetway.yaml changed: watch what the new file asks for and apply it at once with what discovery knows. A file
     * that does not apply throws and is forgotten: the previous one stays in force, and discovery keeps applying its
     * changes on top of it rather than failing with the bad file at every event.
     */
    public synchronized void written(GatewayConfig next) {
        GatewayConfig previous = this.written;
        this.written = next;
        for (Discovery d : sources) {
            d.watch(next, debouncer::signal);
        }
        try {
            applyChanged();
        } catch (RuntimeException e) {
            this.written = previous;
            for (Discovery d : sources) {
                d.watch(previous, debouncer::signal);
            }
            throw e;
        }
    }

    /** Null when every source has read what it watches; else the first thing still awaited. */
    public String waitingFor() {
        for (Discovery d : sources) {
            String w = d.waitingFor();
            if (w != null) {
                return w;
            }
        }
        return null;
    }

    private synchronized void applyNow() {
        try {
            applyChanged();
        } catch (RuntimeException e) {
            // the running configuration stays; the next change tries again
            log.error("discovered configuration not applied: {}", e.getMessage());
        }
    }

    /** Hands the composed configuration to the gateway when it differs from what runs; throws what the reload throws. */
    private void applyChanged() {
        Consumer<GatewayConfig> a = apply;
        if (a == null) {
            return;
        }
        GatewayConfig next = current();
        if (next.equals(applied)) {
            return; // an event that changes nothing routing sees (another pod, a resync)
        }
        PoolChanges.describe(applied, next).forEach(log::info);
        a.accept(next);
        applied = next;
    }

    @Override
    public void close() {
        debouncer.close();
        sources.forEach(Discovery::close);
    }
}
