package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * A pool's active health checks: a real one-token completion (or a GET of another path), so that a model server
 * whose {@code /metrics} look fine but which answers nothing is found out. An endpoint joining a pool that serves (a
 * reload, discovery) takes no traffic until its first check passes; a starting pool's endpoints take traffic at once
 * and leave rotation if their first check fails; an ejected endpoint whose ejection time is over comes back at its
 * next passed check; an endpoint in rotation that has had no request outcome for {@code interval} is checked too, and
 * a failed check counts as a gateway failure of it (docs/operations.md, "Outlier ejection and health checks").
 *
 * @param enabled           false: no checks; new endpoints take traffic at once, ejected ones come back on time
 * @param path              {@code /v1/completions} or {@code /v1/chat/completions}: a POST asking for one token; any
 *                          other path (e.g. vLLM's {@code /health}) is a GET
 * @param model             model named in the check (default: the pool's first model, else the endpoint's first listed)
 * @param interval          an idle endpoint in rotation is checked this often
 * @param unhealthyInterval endpoints not in rotation (new, ejected with their time over, or whose last check failed)
 *                          are checked this often
 * @param timeout           a check not answered within this has failed (longer when the latency model expects the
 *                          endpoint's queue to take longer)
 */
public record HealthCheckSettings(Boolean enabled, String path, String model, Duration interval,
                                  Duration unhealthyInterval, Duration timeout) {

    public HealthCheckSettings {
        enabled = enabled == null || enabled;
        path = path == null ? "/v1/completions" : path;
        interval = interval == null ? Duration.ofSeconds(10) : interval;
        unhealthyInterval = unhealthyInterval == null ? Duration.ofSeconds(1) : unhealthyInterval;
        timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("healthCheck.path must start with /: " + path);
        }
        ConfigChecks.positive("healthCheck.interval", interval);
        ConfigChecks.positive("healthCheck.unhealthyInterval", unhealthyInterval);
        ConfigChecks.positive("healthCheck.timeout", timeout);
    }

    /** True when the check is a one-token completion (POST), false when it is a GET of {@link #path}. */
    public boolean completion() {
        return path.endsWith("/completions");
    }

    /** True for the chat form of the completion check. */
    public boolean chat() {
        return path.endsWith("/chat/completions");
    }

    public static HealthCheckSettings defaults() {
        return new HealthCheckSettings(null, null, null, null, null, null);
    }
}
