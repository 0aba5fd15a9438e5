package dev.jetway.gateway.outlier;

import dev.jetway.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;

/**
 * The meters of one pool's outlier detection: per endpoint {@value #EJECTIONS}{@code _total} by reason,
 * {@value #EJECTED} (1 while ejected) and {@value #CHECKS}{@code _total} by result; per pool
 * {@value #REFUSED}{@code _total}. Every series exists at zero from the endpoint's arrival, for {@code rate()} and
 * {@code absent()} alerts, and goes with the endpoint; per pool also {@value #RETRIES_REFUSED}{@code _total}.
 */
final class OutlierMetrics {

    static final String EJECTIONS = "jetway_endpoint_ejections";
    static final String EJECTED = "jetway_endpoint_ejected";
    static final String CHECKS = "jetway_endpoint_health_checks";
    static final String REFUSED = "jetway_pool_ejections_refused";
    static final String RETRIES_REFUSED = "jetway_pool_retries_refused";

    private final GatewayMetrics metrics;
    private final String pool;
    private final Counter refused;
    private final Counter retriesRefused;

    OutlierMetrics(GatewayMetrics metrics, String pool) {
        this.metrics = metrics;
        this.pool = pool;
        this.refused = Counter.builder(REFUSED)
                .description("Outliers left in rotation because maxEjectionPercent was reached or they were the last "
                        + "endpoint in rotation")
                .tags("name", pool).register(metrics.registry());
        this.retriesRefused = Counter.builder(RETRIES_REFUSED)
                .description("Retries not made because the pool's retry budget was spent")
                .tags("name", pool).register(metrics.registry());
    }

    private Tags tags(EndpointStanding s) {
        return Tags.of("name", pool, "model_server_endpoint", s.address());
    }

    /** Registers the endpoint's series (again, after a reload removed its gauges with the endpoint object). */
    void register(EndpointStanding s) {
        for (EjectionReason r : EjectionReason.values()) {
            ejections(s, r);
        }
        checks(s, true);
        checks(s, false);
        if (metrics.registry().find(EJECTED).tags(tags(s)).gauge() == null) {
            metrics.gauge(EJECTED, "1 while the endpoint is ejected by outlier detection", tags(s),
                    () -> s.ejected ? 1 : 0);
        }
    }

    void ejected(EndpointStanding s, EjectionReason reason) {
        ejections(s, reason).increment();
    }

    void checked(EndpointStanding s, boolean passed) {
        checks(s, passed).increment();
    }

    void refused() {
        refused.increment();
    }

    void retryRefused() {
        retriesRefused.increment();
    }

    private Counter ejections(EndpointStanding s, EjectionReason reason) {
        return Counter.builder(EJECTIONS).description("Endpoints ejected by outlier detection, by reason")
                .tags(tags(s).and("reason", reason.label())).register(metrics.registry());
    }

    private Counter checks(EndpointStanding s, boolean passed) {
        return Counter.builder(CHECKS).description("Active health checks (a one-token completion), by result")
                .tags(tags(s).and("result", passed ? "passed" : "failed")).register(metrics.registry());
    }

    /** The endpoint left the pool. */
    void remove(EndpointStanding s) {
        for (EjectionReason r : EjectionReason.values()) {
            metrics.remove(EJECTIONS, tags(s).and("reason", r.label()));
        }
        metrics.remove(CHECKS, tags(s).and("result", "passed"));
        metrics.remove(CHECKS, tags(s).and("result", "failed"));
        metrics.remove(EJECTED, tags(s));
    }

    /** The pool left the configuration. */
    void close() {
        metrics.remove(REFUSED, Tags.of("name", pool));
        metrics.remove(RETRIES_REFUSED, Tags.of("name", pool));
    }
}
