package dev.jetway.gateway.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * Everything in {@code jetway.yaml}. Every key has a default that works; see docs/configuration.md.
 *
 * @param tenantRateLimits token-rate limits per tenant, or null (none)
 * @param kubernetes how to reach the Kubernetes API (used by pools with {@code inferencePool} or
 *                   {@code endpointPickerConfigMap})
 * @param peers the other gateway replicas to exchange routing digests with, or null (none)
 * @param audit the audit log (one record per request), or null (none); read at start
 * @param guardrails what a request must pass before it is forwarded, or null (none); applied live
 * @param security API keys, the admin token, what responses reveal (docs/security.md)
 * @param tracing OpenTelemetry tracing, or null (off); read at start
 * @param baseDir directory relative paths in the file resolve against (not a YAML key)
 */
public record GatewayConfig(ServerSettings server, UpstreamSettings upstream, DataLayerSettings dataLayer,
                            AdmissionSettings admission, TenantRateLimitSettings tenantRateLimits,
                            KubernetesSettings kubernetes, List<PoolConfig> pools, PeerSettings peers,
                            AuditSettings audit, GuardrailSettings guardrails, SecuritySettings security,
                            TracingSettings tracing, @JsonIgnore Path baseDir) {

    public GatewayConfig(ServerSettings server, UpstreamSettings upstream, DataLayerSettings dataLayer,
                         AdmissionSettings admission, List<PoolConfig> pools, Path baseDir) {
        this(server, upstream, dataLayer, admission, null, null, pools, null, null, null, null, null, baseDir);
    }

    public GatewayConfig(ServerSettings server, UpstreamSettings upstream, DataLayerSettings dataLayer,
                         AdmissionSettings admission, TenantRateLimitSettings tenantRateLimits,
                         List<PoolConfig> pools, Path baseDir) {
        this(server, upstream, dataLayer, admission, tenantRateLimits, null, pools, null, null, null, null, null, baseDir);
    }

    public GatewayConfig {
        server = server == null ? ServerSettings.defaults() : server;
        upstream = upstream == null ? UpstreamSettings.defaults() : upstream;
        dataLayer = dataLayer == null ? DataLayerSettings.defaults() : dataLayer;
        admission = admission == null ? AdmissionSettings.defaults() : admission;
        kubernetes = kubernetes == null ? KubernetesSettings.defaults() : kubernetes;
        security = security == null ? SecuritySettings.defaults() : security;
        pools = pools == null ? List.of() : List.copyOf(pools);
        baseDir = baseDir == null ? Path.of(".") : baseDir;
        if (peers != null && server.adminPort() < 0) {
            throw new IllegalArgumentException("peers need the admin port (server.adminPort): peers send their "
                    + "digests there");
        }
        if (server.adminPort() >= 0 && security.adminToken() == null && !server.adminLoopbackOnly()) {
            throw new IllegalArgumentException("server.adminHost " + server.adminHost() + " is reachable beyond this "
                    + "machine: set security.adminToken (a file or a Secret) so that /metrics, /ready and admin "
                    + "actions need a bearer token");
        }
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("jetway.yaml must define at least one pool");
        }
        var names = new HashSet<String>();
        var models = new HashSet<String>();
        for (PoolConfig p : pools) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("two pools are named " + p.name());
            }
            for (String m : p.models()) {
                if (!models.add(m)) {
                    throw new IllegalArgumentException("model " + m + " is served by more than one pool");
                }
            }
        }
    }

    public GatewayConfig withServer(ServerSettings newServer) {
        return new GatewayConfig(newServer, upstream, dataLayer, admission, tenantRateLimits, kubernetes, pools,
                peers, audit, guardrails, security, tracing, baseDir);
    }

    public GatewayConfig withBaseDir(Path dir) {
        return new GatewayConfig(server, upstream, dataLayer, admission, tenantRateLimits, kubernetes, pools, peers,
                audit, guardrails, security, tracing, dir);
    }

    public GatewayConfig withAdmission(AdmissionSettings next) {
        return new GatewayConfig(server, upstream, dataLayer, next, tenantRateLimits, kubernetes, pools, peers,
                audit, guardrails, security, tracing, baseDir);
    }

    public GatewayConfig withKubernetes(KubernetesSettings next) {
        return new GatewayConfig(server, upstream, dataLayer, admission, tenantRateLimits, next, pools, peers,
                audit, guardrails, security, tracing, baseDir);
    }

    public GatewayConfig withPools(List<PoolConfig> next) {
        return new GatewayConfig(server, upstream, dataLayer, admission, tenantRateLimits, kubernetes, next, peers,
                audit, guardrails, security, tracing, baseDir);
    }

    public GatewayConfig withAudit(AuditSettings next) {
        return new GatewayConfig(server, upstream, dataLayer, admission, tenantRateLimits, kubernetes, pools, peers,
                next, guardrails, security, tracing, baseDir);
    }

    public GatewayConfig withGuardrails(GuardrailSettings next) {
        return new GatewayConfig(server, upstream, dataLayer, admission, tenantRateLimits, kubernetes, pools, peers,
                audit, next, security, tracing, baseDir);
    }

    public GatewayConfig withSecurity(SecuritySettings next) {
        return new GatewayConfig(server, upstream, dataLayer, admission, tenantRateLimits, kubernetes, pools, peers,
                audit, guardrails, next, tracing, baseDir);
    }

    public GatewayConfig withTracing(TracingSettings next) {
        return new GatewayConfig(server, upstream, dataLayer, admission, tenantRateLimits, kubernetes, pools, peers,
                audit, guardrails, security, next, baseDir);
    }

    /** The tracing settings when tracing is on, else null. */
    public TracingSettings tracingOn() {
        return tracing != null && tracing.enabled() ? tracing : null;
    }

    /** True when some pool needs the Kubernetes API. */
    public boolean usesKubernetes() {
        return pools.stream().anyMatch(PoolConfig::usesKubernetes);
    }

    /** Problems of the configuration as written in jetway.yaml (see {@link PoolConfig#checkAsWritten}). */
    public GatewayConfig checkAsWritten() {
        pools.forEach(PoolConfig::checkAsWritten);
        return this;
    }
}
