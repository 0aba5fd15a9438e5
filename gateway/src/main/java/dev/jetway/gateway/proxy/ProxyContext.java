package dev.jetway.gateway.proxy;

import dev.jetway.gateway.audit.AuditLog;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.request.RequestParser;
import dev.jetway.gateway.routing.RoutingState;

/** What every request shares: the live routing state, the metrics, the body parser, the audit log (or null). */
public record ProxyContext(RoutingState routing, GatewayMetrics metrics, RequestParser parser, int maxBodyBytes,
                           boolean debugHeaderAlways, AuditLog audit) {
}
