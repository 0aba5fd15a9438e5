package dev.jetway.gateway.extproc;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.RequestStage;
import dev.jetway.gateway.path.StageResult;
import dev.jetway.gateway.proxy.UpstreamHeaders;
import dev.jetway.gateway.security.AccessControl;

/**
 * The endpoint picker's last stage, in place of the gateway's {@code proxy}: the decision goes back to Envoy on the
 * request's ext_proc stream ({@link ExtProcStream#routed}), which holds the request until Envoy reports its response
 * over ({@link ExtProcExchange}).
 */
final class RouteStage implements RequestStage {

    /** The gateway's request header asking for the decision record on the response. */
    static final String DEBUG_HEADER = "x-jetway-debug";

    private final GatewayMetrics metrics;
    private final ExtProcMetrics eppMetrics;
    private final boolean debugHeaderAlways;

    private final AccessControl access;

    RouteStage(GatewayMetrics metrics, ExtProcMetrics eppMetrics, boolean debugHeaderAlways, AccessControl access) {
        this.metrics = metrics;
        this.eppMetrics = eppMetrics;
        this.debugHeaderAlways = debugHeaderAlways;
        this.access = access;
    }

    @Override
    public String name() {
        return "route";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        if (!(request.client() instanceof ExtProcStream stream)) {
            throw new IllegalStateException("the route stage answers ext_proc streams only");
        }
        boolean debug = debugHeaderAlways || access.debugAllowed(request.header(DEBUG_HEADER),
                request.header(UpstreamHeaders.ADMIN_TOKEN_HEADER));
        stream.routed(new ExtProcExchange(request, metrics, eppMetrics, debug, access.settings().endpointHeader()));
        return StageResult.SUSPENDED;
    }
}
