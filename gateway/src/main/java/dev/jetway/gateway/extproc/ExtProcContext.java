package dev.jetway.gateway.extproc;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.path.RequestPath;
import dev.jetway.gateway.routing.RoutingState;

/**
 * What every ext_proc stream shares: the endpoint picker's request path, the live routing state, the metrics, and
 * the largest request body it takes ({@code server.maxBodyBytes}).
 */
record ExtProcContext(RequestPath path, RoutingState routing, GatewayMetrics metrics, ExtProcMetrics eppMetrics,
                      int maxBodyBytes) {
}
