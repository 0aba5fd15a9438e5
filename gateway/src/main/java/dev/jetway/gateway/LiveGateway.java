package dev.jetway.gateway;

import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.discovery.Discovery;
import dev.jetway.gateway.discovery.FileDiscovery;
import dev.jetway.gateway.discovery.LiveConfiguration;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.gateway.k8s.KubernetesDiscovery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as {@code jetway gateway} runs it: the server, configured from jetway.yaml with the endpoints, picker
 * configs and priorities that discovery (endpoints files, Kubernetes) fills in, kept live as either changes. Without
 * discovery in jetway.yaml it is exactly the static gateway.
 */
public final class LiveGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveGateway.class);

    /** How often endpoints files are looked at. */
    static final Duration FILE_POLL = Duration.ofMillis(200);

    private final GatewayServer server;
    private final LiveConfiguration live;
    private final boolean kubernetes;

    private LiveGateway(GatewayServer server, LiveConfiguration live, boolean kubernetes) {
        this.server = server;
        this.live = live;
        this.kubernetes = kubernetes;
    }

    /** Starts with Kubernetes reached as jetway.yaml's {@code kubernetes} settings say. */
    public static LiveGateway start(GatewayConfig written, int workerThreads) throws InterruptedException {
        return start(written, workerThreads, c -> KubernetesDiscovery.connect(c.kubernetes(), c.baseDir()));
    }

    /**
     * Starts; {@code kubernetes} connects the Kubernetes discovery (called only when a pool needs it). An endpoints
     * file that does not load, or a server that cannot bind, throws.
     */
    public static LiveGateway start(GatewayConfig written, int workerThreads,
                                    Function<GatewayConfig, Discovery> kubernetes) throws InterruptedException {
        List<Discovery> sources = new ArrayList<>();
        sources.add(new FileDiscovery(FILE_POLL));
        LiveConfiguration live = null;
        try {
            if (written.usesKubernetes()) {
                sources.add(kubernetes.apply(written));
            }
            live = new LiveConfiguration(written, sources, written.kubernetes().debounce());
            GatewayConfig first = live.current();
            GatewayServer server = GatewayServer.start(first, workerThreads);
            server.routing().readiness().addGate(live::waitingFor);
            live.start(first, server::reload);
            return new LiveGateway(server, live, written.usesKubernetes());
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
            log.error("the changed configuration discovers pools from Kubernetes, which the gateway did not connect "
                    + "to at start: restart it; until then those pools have no endpoints");
        }
        live.written(next);
    }

    public GatewayServer server() {
        return server;
    }

    @Override
    public void close() {
        live.close();
        server.close();
    }
}
