package dev.jetway.gateway;

import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.discovery.Discovery;
import dev.jetway.gateway.http.GatewayServer;
import java.util.function.Function;

/** The gateway as {@code jetway gateway} runs it: a {@link GatewayServer} kept live by {@link LiveServing}. */
public final class LiveGateway {

    private LiveGateway() {
    }

    /** Starts with Kubernetes reached as jetway.yaml's {@code kubernetes} settings say. */
    public static LiveServing<GatewayServer> start(GatewayConfig written, int workerThreads)
            throws InterruptedException {
        return start(written, workerThreads, LiveServing::kubernetes);
    }

    /** Starts; {@code kubernetes} connects the Kubernetes discovery (called only when a pool needs it). */
    public static LiveServing<GatewayServer> start(GatewayConfig written, int workerThreads,
                                                   Function<GatewayConfig, Discovery> kubernetes)
            throws InterruptedException {
        return LiveServing.start(written, first -> GatewayServer.start(first, workerThreads), kubernetes,
                "the gateway");
    }
}
