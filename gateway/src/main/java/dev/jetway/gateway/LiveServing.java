package dev.jetway.gateway;

import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.discovery.Discovery;
import dev.jetway.gateway.discovery.FileDiscovery;
import dev.jetway.gateway.discovery.LiveConfiguration;
import dev.jetway.gateway.k8s.KubernetesDiscovery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LiveServer} as the commands run it: configured from jetway.yaml with the endpoints, picker configs and
 * priorities that discovery (endpoints files, Kubernetes) fills in, kept live as either changes. Without discovery in
 * jetway.yaml it is exactly the static server. {@link LiveGateway} and the endpoint picker's {@code
 * LiveEndpointPicker} start one.
 */
public final class LiveServing<S extends LiveServer> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveServing.class);

    /** How often endpoints files are looked at. */
    static final Duration FILE_POLL = Duration.ofMillis(200);

    /** Starts the server on the first configuration discovery produced. */
    @FunctionalInterface
    public interface Starter<S> {
        S start(GatewayConfig first) throws InterruptedException;
    }

    private final S server;
    private final LiveConfiguration live;
    private final boolean kubernetes;
    private final String what;

    private LiveServing(S server, LiveConfiguration live, boolean kubernetes, String what) {
        this.server = server;
        this.live = live;
        this.kubernetes = kubernetes;
        this.what = what;
    }

    /** Connects the Kubernetes discovery as jetway.yaml's {@code kubernetes} settings say. */
    public static Discovery kubernetes(GatewayConfig config) {
        return KubernetesDiscovery.connect(config.kubernetes(), config.baseDir());
    }

    /**
     * Starts; {@code kubernetes} connects the Kubernetes discovery (called only when a pool needs it). An endpoints
     * file that does not load, or a server that cannot bind, throws.
     *
     * @param what the server in words, for logs ("the gateway", "the endpoint picker")
     */
    public static <S extends LiveServer> LiveServing<S> start(GatewayConfig written, Starter<S> starter,
                                                               Function<GatewayConfig, Discovery> kubernetes,
                                                               String what) throws InterruptedException {
        List<Discovery> sources = new ArrayList<>();
        sources.add(new FileDiscovery(FILE_POLL));
        LiveConfiguration live = null;
        try {
            if (written.usesKubernetes()) {
                sources.add(kubernetes.apply(written));
            }
            live = new LiveConfiguration(written, sources, written.kubernetes().debounce());
            GatewayConfig first = live.current();
            S server = starter.start(first);
            server.routing().readiness().addGate(live::waitingFor);
            live.start(first, server::reload);
            return new LiveServing<>(server, live, written.usesKubernetes(), what);
        } catch (RuntimeException | InterruptedException e) {
            if (live != null) {
                live.close();
            } else {
                sources.forEach(Discovery::close);
            }
            throw e;
        }
    }

    /** jetway.yaml changed: apply it, with what discovery knows filled in. */
    public void written(GatewayConfig next) {
        if (next.usesKubernetes() && !kubernetes) {
            log.error("the changed configuration discovers pools from Kubernetes, which {} did not connect to at "
                    + "start: restart it; until then those pools have no endpoints", what);
        }
        live.written(next);
    }

    public S server() {
        return server;
    }

    /** Drains the server for shutdown ({@link LiveServer#drain}); discovery goes on meanwhile. */
    public boolean drain() {
        return server.drain();
    }

    @Override
    public void close() {
        live.close();
        server.close();
    }
}
