package dev.jetway.gateway.extproc;

import dev.jetway.gateway.LiveServing;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.discovery.Discovery;
import java.util.function.Function;

/** The endpoint picker as {@code jetway epp} runs it: an {@link EndpointPickerServer} kept live by {@link LiveServing}. */
public final class LiveEndpointPicker {

    private LiveEndpointPicker() {
    }

    /** Starts with Kubernetes reached as jetway.yaml's {@code kubernetes} settings say. */
    public static LiveServing<EndpointPickerServer> start(GatewayConfig written, EndpointPickerServer.Options options)
            throws InterruptedException {
        return start(written, options, LiveServing::kubernetes);
    }

    /** Starts; {@code kubernetes} connects the Kubernetes discovery (called only when a pool needs it). */
    public static LiveServing<EndpointPickerServer> start(GatewayConfig written, EndpointPickerServer.Options options,
                                                          Function<GatewayConfig, Discovery> kubernetes)
            throws InterruptedException {
        return LiveServing.start(written, first -> EndpointPickerServer.start(first, options), kubernetes,
                "the endpoint picker");
    }
}
