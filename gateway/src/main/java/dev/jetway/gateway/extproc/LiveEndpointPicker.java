package dev.jetway.gateway.extproc;

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
 * The endpoint picker as {@code jetway epp} runs it: the server, configured from jetway.yaml with what discovery
 * (endpoints files, Kubernetes) fills in, kept live as either changes, exactly as {@code jetway gateway} keeps its
 * gateway ({@code LiveGateway}). Discovery's readiness gate holds the picker's readiness too.
 */
public final class LiveEndpointPicker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveEndpointPicker.class);

    /** How often endpoints files are looked at (as the gateway does). */
    static final Duration FILE_POLL = Duration.ofMillis(200);

    private final EndpointPickerServer server;
    private final LiveConfiguration live;
    private final boolean kubernetes;

    private LiveEndpointPicker(EndpointPickerServer server, LiveConfiguration live, boolean kubernetes) {
        this.server = server;
        this.live = live;
        this.kubernetes = kubernetes;
    }

    /** Starts with Kubernetes reached as jetway.yaml's {@code kubernetes} settings say. */
    public static LiveEndpointPicker start(GatewayConfig written, EndpointPickerServer.Options options)
            throws InterruptedException {
        return start(written, options, c -> KubernetesDiscovery.connect(c.kubernetes(), c.baseDir()));
    }

    /**
     * Starts; {@code kubernetes} connects the Kubernetes discovery (called only when a pool needs it). An endpoints
     * file that does not load, or a port that cannot be had, throws.
     */
    public static LiveEndpointPicker start(GatewayConfig written, EndpointPickerServer.Options options,
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
            EndpointPickerServer server = EndpointPickerServer.start(first, options);
            server.routing().readiness().addGate(live::waitingFor);
            live.start(first, server::reload);
            return new LiveEndpointPicker(server, live, written.usesKubernetes());
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
            log.error("the changed configuration discovers pools from Kubernetes, which the endpoint picker did not "
                    + "connect to at start: restart it; until then those pools have no endpoints");
        }
        live.written(next);
    }

    public EndpointPickerServer server() {
        return server;
    }

    @Override
    public void close() {
        live.close();
        server.close();
    }
}
