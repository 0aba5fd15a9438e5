package dev.jetway.gateway.proxy;

import dev.jetway.gateway.audit.AuditLog;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.request.RequestParser;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.trace.Tracing;
import java.time.Duration;

/**
 * What every request shares: the live routing state, the metrics, the body parser, the audit log (or null), who may
 * call ({@code access}: API keys, admin token, what responses reveal), the client-side limits ({@code server.*}:
 * header size, how long a client may leave its response unread), and tracing (off unless configured).
 */
public record ProxyContext(RoutingState routing, GatewayMetrics metrics, RequestParser parser, int maxBodyBytes,
                           boolean debugHeaderAlways, AuditLog audit, AccessControl access, int maxHeaderBytes,
                           Duration writeStallTimeout, Tracing tracing) {

    public ProxyContext {
        tracing = tracing == null ? Tracing.off() : tracing;
    }
}
