package dev.jetway.gateway.outlier;

import dev.jetway.gateway.config.HealthCheckSettings;
import dev.jetway.gateway.config.OutlierDetectionSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool's outlier detection, Envoy's semantics (docs/operations.md, "Outlier ejection"): the outcomes of the
 * requests this gateway sends (and of the active checks) are counted per endpoint, and an endpoint whose failures in a
 * row reach {@code consecutive5xx} or {@code consecutiveGatewayFailure}, or whose streams crawl
 * {@code tpotOutlierFactor} times slower per token than its peers', is ejected: the scheduler no longer sees it.
 * The n-th ejection in a row lasts n × {@code baseEjectionTime} (at most {@code maxEjectionTime}); each
 * {@code interval} spent in rotation afterwards takes one off n. When the time is over the endpoint comes back at its
 * next passed health check (at once with checks off).
 *
 * <p>Two limits keep a pool serving: at most {@code maxEjectionPercent} of the endpoints are ejected at once (one may
 * always be, as in Envoy), and the last endpoint in rotation is never ejected, since its failures then have nowhere
 * better to go.
 *
 * <p>Outcomes arrive from every event loop and from the check loops; changes are made under this object's lock, and a
 * success on an endpoint with no failures pending takes no lock at all.
 */
public final class OutlierDetector {

    private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

    /** Recent pace samples an endpoint and each peer need before the pace rule compares them. */
    static final int PACE_MIN_SAMPLES = 3;
    /** Pace samples older than this many intervals are not compared. */
    static final int PACE_WINDOW_INTERVALS = 10;

    private final String pool;
    private final LongSupplier clock;
    private final OutlierMetrics metrics;
    private final CheckBudget budget;
    private final RetryBudget retries;
    private final Map<String, EndpointStanding> standings = new LinkedHashMap<>();
    private volatile OutlierDetectionSettings settings;
    private volatile HealthCheckSettings checks;
    private volatile List<String> models = List.of();
    private volatile java.net.http.HttpClient http;
    private volatile String scheme = "http";
    private volatile java.util.function.Function<String, String> upstreamKeys = p -> null;

    OutlierDetector(String pool, OutlierDetectionSettings settings, HealthCheckSettings checks, OutlierMetrics metrics,
                    LongSupplier clock) {
        this(pool, settings, checks, metrics, clock, CheckBudget.NONE);
    }

    OutlierDetector(String pool, OutlierDetectionSettings settings, HealthCheckSettings checks, OutlierMetrics metrics,
                    LongSupplier clock, CheckBudget budget) {
        this.budget = budget;
        this.retries = new RetryBudget(metrics);
        this.pool = pool;
        this.settings = settings;
        this.checks = checks;
        this.metrics = metrics;
        this.clock = clock;
    }

    public String pool() {
        return pool;
    }

    public OutlierDetectionSettings settings() {
        return settings;
    }

    public HealthCheckSettings checks() {
        return checks;
    }

    long now() {
        return clock.getAsLong();
    }

    /** The pool's retry budget. */
    RetryBudget retryBudget() {
        return retries;
    }

    /** What the latency model expects a check of {@code e} to take now, nanoseconds; -1 when it cannot say. */
    long checkBudget(GatewayEndpoint e) {
        return budget.nanos(pool, e);
    }

    /** How checks reach the pool's model servers: the client (TLS for a pool with {@code tls}), scheme, credential. */
    void transport(java.net.http.HttpClient client, String nextScheme,
                   java.util.function.Function<String, String> keys) {
        http = client;
        scheme = nextScheme;
        upstreamKeys = keys;
    }

    java.net.http.HttpClient http() {
        return http;
    }

    String scheme() {
        return scheme;
    }

    /** The key the pool's model servers expect in {@code Authorization}, or null. */
    String upstreamKey() {
        return upstreamKeys.apply(pool);
    }

    /** The pool's configured models: what a check names unless {@code healthCheck.model} does. */
    List<String> models() {
        return models;
    }

    synchronized void configure(OutlierDetectionSettings nextSettings, HealthCheckSettings nextChecks,
                                List<String> nextModels) {
        settings = nextSettings;
        checks = nextChecks;
        models = List.copyOf(nextModels);
        if (!nextChecks.enabled()) {
            for (EndpointStanding s : standings.values()) {
                s.admitted = true;
            }
        }
        if (!nextSettings.enabled()) {
            for (EndpointStanding s : standings.values()) {
                if (s.ejected) {
                    readmit(s, now(), "outlier detection turned off");
                }
            }
        }
        standings.values().forEach(HealthCheckLoop::wake);
    }

    /**
     * The standing of {@code endpoint}, created for an address new to the pool: when the pool is {@code starting}
     * (the gateway starts, the pool was just added) it is admitted at once and leaves rotation if its first check
     * fails, as every endpoint took traffic before it was checked when there was nothing to compare with; an endpoint
     * joining a pool that already serves is not admitted until its first check passes (unless checks are off). The
     * endpoint object is the one requests use from now on.
     */
    synchronized EndpointStanding standing(GatewayEndpoint endpoint, boolean starting) {
        String address = endpoint.endpoint().address();
        EndpointStanding s = standings.get(address);
        if (s == null) {
            s = new EndpointStanding(this, address, starting || !checks.enabled());
            s.multiplierSinceNanos = now();
            standings.put(address, s);
            metrics.register(s);
        }
        s.endpoint = endpoint;
        return s;
    }

    /** Forgets the endpoints not in {@code addresses}; returns them. */
    synchronized List<EndpointStanding> retain(java.util.Set<String> addresses) {
        List<EndpointStanding> gone = new ArrayList<>();
        standings.values().removeIf(s -> {
            if (addresses.contains(s.address)) {
                return false;
            }
            s.removed = true;
            gone.add(s);
            return true;
        });
        gone.forEach(metrics::remove);
        return gone;
    }

    /** Registers every endpoint's series again (a reload may have removed its gauges with the endpoint object). */
    synchronized void registerMeters() {
        standings.values().forEach(metrics::register);
    }

    synchronized List<EndpointStanding> standings() {
        return List.copyOf(standings.values());
    }

    void close() {
        metrics.close();
    }

    // ---- outcomes of requests ----

    /** The endpoint answered (a response below 500, or a passed check): its failures in a row are over. */
    void succeeded(EndpointStanding s) {
        long now = now();
        s.lastOutcomeNanos = now;
        if (s.consecutive5xx == 0 && s.consecutiveGatewayFailures == 0) {
            return;
        }
        synchronized (this) {
            s.consecutive5xx = 0;
            s.consecutiveGatewayFailures = 0;
        }
    }

    /** The endpoint answered with a 5xx status; 502, 503 and 504 are gateway failures too, as in Envoy. */
    synchronized void serverError(EndpointStanding s, int status) {
        long now = now();
        s.lastOutcomeNanos = now;
        s.consecutive5xx++;
        if (status >= 502 && status <= 504) {
            s.consecutiveGatewayFailures++;
        } else {
            s.consecutiveGatewayFailures = 0;
        }
        judgeFailures(s, now, "HTTP " + status);
    }

    /** The gateway could not get an answer: a connect error, a reset, a first-byte or idle timeout, a failed check. */
    synchronized void gatewayFailure(EndpointStanding s, String what) {
        long now = now();
        s.lastOutcomeNanos = now;
        s.consecutive5xx++;
        s.consecutiveGatewayFailures++;
        judgeFailures(s, now, what);
    }

    private void judgeFailures(EndpointStanding s, long now, String last) {
        OutlierDetectionSettings o = settings;
        if (!o.enabled() || s.ejected || s.removed) {
            return;
        }
        if (o.consecutiveGatewayFailure() > 0 && s.consecutiveGatewayFailures >= o.consecutiveGatewayFailure()) {
            eject(s, EjectionReason.CONSECUTIVE_GATEWAY_FAILURE, now,
                    s.consecutiveGatewayFailures + " gateway failures in a row, the last: " + last);
        } else if (o.consecutive5xx() > 0 && s.consecutive5xx >= o.consecutive5xx()) {
            eject(s, EjectionReason.CONSECUTIVE_5XX, now, s.consecutive5xx + " failures in a row, the last: " + last);
        }
    }

    /**
     * A stream from the endpoint took {@code secondsPerToken} per output token after its first. Compared, over the
     * recent streams, with the median of the other endpoints' medians: {@code tpotOutlierFactor} times slower (and
     * above {@code tpotOutlierMin}) ejects.
     */
    synchronized void pace(EndpointStanding s, double secondsPerToken) {
        long now = now();
        s.addPace(secondsPerToken, now);
        OutlierDetectionSettings o = settings;
        if (!o.enabled() || o.tpotOutlierFactor() == 0 || s.ejected || s.removed) {
            return;
        }
        long since = now - PACE_WINDOW_INTERVALS * o.interval().toNanos();
        double[] own = s.recentPace(since);
        if (own.length < PACE_MIN_SAMPLES) {
            return;
        }
        double median = median(own);
        if (median <= o.tpotOutlierMin().toNanos() / 1e9) {
            return;
        }
        List<Double> peers = new ArrayList<>();
        for (EndpointStanding t : standings.values()) {
            if (t != s && !t.ejected) {
                double[] theirs = t.recentPace(since);
                if (theirs.length >= PACE_MIN_SAMPLES) {
                    peers.add(median(theirs));
                }
            }
        }
        if (peers.isEmpty()) {
            return;
        }
        double peerMedian = median(peers.stream().mapToDouble(Double::doubleValue).sorted().toArray());
        if (median > o.tpotOutlierFactor() * peerMedian) {
            eject(s, EjectionReason.TPOT_OUTLIER, now, String.format(java.util.Locale.ROOT,
                    "its recent streams took %.0f ms per token, its peers %.1f ms", median * 1e3, peerMedian * 1e3));
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // ---- active checks ----

    /** A check passed: a new endpoint enters rotation, an ejected one whose time is over comes back. */
    synchronized void checkPassed(EndpointStanding s) {
        long now = now();
        s.lastCheckNanos = now;
        s.lastCheckPassed = true;
        s.lastCheckError = null;
        metrics.checked(s, true);
        s.checked = true;
        if (!s.admitted) {
            s.admitted = true;
            log.info("endpoint {} of pool {} passed its first health check: in rotation", s.address, pool);
        }
        if (s.ejected && now >= s.ejectedUntilNanos) {
            readmit(s, now, "its ejection is over and it passed a health check");
        }
        succeeded(s);
    }

    /**
     * A check failed. An endpoint in rotation counts it as a gateway failure, unless no check of it has passed yet
     * (a starting pool's endpoint): that one leaves rotation until one does. One that is out (new, ejected) stays out.
     */
    synchronized void checkFailed(EndpointStanding s, String error) {
        long now = now();
        boolean wasPassing = s.lastCheckPassed || s.lastCheckNanos == Long.MIN_VALUE;
        s.lastCheckNanos = now;
        s.lastCheckPassed = false;
        s.lastCheckError = error;
        metrics.checked(s, false);
        if (s.admitted && !s.checked) {
            s.admitted = false;
            log.warn("endpoint {} of pool {} failed its first health check ({}): out of rotation until one passes",
                    s.address, pool, error);
            return;
        }
        if (!s.admitted) {
            if (wasPassing) {
                log.warn("endpoint {} of pool {} failed its health check ({}): not in rotation until one passes",
                        s.address, pool, error);
            }
            return;
        }
        if (!s.ejected) {
            gatewayFailure(s, "health check: " + error);
        }
    }

    /** With checks off, an ejected endpoint comes back when its time is over. */
    synchronized void readmitIfDue(EndpointStanding s) {
        long now = now();
        if (s.ejected && now >= s.ejectedUntilNanos) {
            readmit(s, now, "its ejection is over");
        }
    }

    // ---- ejection ----

    private void eject(EndpointStanding s, EjectionReason reason, long now, String why) {
        OutlierDetectionSettings o = settings;
        s.consecutive5xx = 0;
        s.consecutiveGatewayFailures = 0;
        String refusal = refusal(s, o);
        if (refusal != null) {
            metrics.refused();
            log.warn("endpoint {} of pool {} is an outlier ({}) but stays in rotation: {}", s.address, pool, why,
                    refusal);
            return;
        }
        int times = multiplier(s, now, o) + 1;
        s.timesEjected = times;
        long nanos = Math.min(o.baseEjectionTime().toNanos() * times, o.maxEjectionTime().toNanos());
        s.reason = reason;
        s.ejectedUntilNanos = now + nanos;
        s.ejected = true;
        s.clearPace();
        metrics.ejected(s, reason);
        log.warn("endpoint {} of pool {} ejected for {} ms ({}; ejection {} in a row)", s.address, pool,
                nanos / 1_000_000, why, times);
        HealthCheckLoop.wake(s);
    }

    /** Why {@code s} may not be ejected now, or null. */
    private String refusal(EndpointStanding s, OutlierDetectionSettings o) {
        int ejected = 0;
        int othersInRotation = 0;
        for (EndpointStanding t : standings.values()) {
            if (t.ejected) {
                ejected++;
            } else if (t != s && t.admitted && t.endpoint != null && t.endpoint.ready()) {
                othersInRotation++;
            }
        }
        if (othersInRotation == 0) {
            return "it is the last endpoint of the pool in rotation";
        }
        if (ejected > 0 && (ejected + 1) * 100 > o.maxEjectionPercent() * standings.size()) {
            return ejected + " of " + standings.size() + " endpoints are ejected already (maxEjectionPercent "
                    + o.maxEjectionPercent() + ")";
        }
        return null;
    }

    /** The ejection multiplier now: times ejected in a row, less one per interval in rotation since. */
    private static int multiplier(EndpointStanding s, long now, OutlierDetectionSettings o) {
        if (s.ejected) {
            return s.timesEjected;
        }
        long decayed = Math.max(0, now - s.multiplierSinceNanos) / o.interval().toNanos();
        return (int) Math.max(0, s.timesEjected - decayed);
    }

    private void readmit(EndpointStanding s, long now, String why) {
        s.ejected = false;
        s.multiplierSinceNanos = now;
        s.consecutive5xx = 0;
        s.consecutiveGatewayFailures = 0;
        log.info("endpoint {} of pool {} is back in rotation: {}", s.address, pool, why);
    }

    // ---- views ----

    /** What the admin view shows of one endpoint. */
    public record View(String address, boolean ready, boolean checked, boolean inRotation, boolean ejected,
                       String ejectionReason, long ejectedForMillis, int ejectionMultiplier, int consecutive5xx,
                       int consecutiveGatewayFailures, String lastCheck, String lastCheckError,
                       double[] recentSecondsPerToken) {
    }

    public synchronized List<View> view() {
        long now = now();
        OutlierDetectionSettings o = settings;
        List<View> out = new ArrayList<>();
        for (EndpointStanding s : standings.values()) {
            boolean ready = s.endpoint != null && s.endpoint.ready();
            String lastCheck = s.lastCheckNanos == Long.MIN_VALUE ? "never"
                    : (s.lastCheckPassed ? "passed " : "failed ") + Math.max(0, now - s.lastCheckNanos) / 1_000_000
                    + " ms ago";
            out.add(new View(s.address, ready, s.checked, ready && s.routable(), s.ejected,
                    s.ejected ? s.reason.label() : null,
                    s.ejected ? Math.max(0, s.ejectedUntilNanos - now) / 1_000_000 : 0, multiplier(s, now, o),
                    s.consecutive5xx, s.consecutiveGatewayFailures, lastCheck, s.lastCheckError,
                    s.recentPace(now - PACE_WINDOW_INTERVALS * o.interval().toNanos())));
        }
        return out;
    }

    /** The endpoints kept out of scheduling, for the decision record: {@code addr (ejected: reason)}, or "". */
    public static String excluded(List<GatewayEndpoint> endpoints) {
        StringBuilder sb = new StringBuilder();
        for (GatewayEndpoint e : endpoints) {
            EndpointStanding s = e.standing();
            String why = s.ejected ? "ejected: " + s.reason.label() : !s.admitted ? "not yet checked" : null;
            if (why != null) {
                sb.append(sb.isEmpty() ? "" : ", ").append(s.address).append(" (").append(why).append(')');
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "outliers of pool " + pool + " " + Arrays.toString(standings.keySet().toArray());
    }
}
