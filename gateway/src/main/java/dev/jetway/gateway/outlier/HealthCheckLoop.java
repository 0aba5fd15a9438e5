package dev.jetway.gateway.outlier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.config.HealthCheckSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint's active health checks, on its own virtual thread: a real request asking for one token (the pool's
 * {@code healthCheck}), sent when the endpoint is new (until one passes), ejected with its time over (until one
 * passes), or in rotation but quiet: no answer from it for {@code interval}. A check waits {@code timeout}, or what
 * the pool's latency model expects a one-token request to take behind the endpoint's queue ({@link CheckBudget})
 * when that is longer, so a busy server is not taken for a hung one; a pool without a latency model cannot tell the
 * two apart, so its endpoints are not checked while this gateway has requests in flight there (those will tell).
 * With checks off the loop only brings ejected endpoints back on time. Checks carry {@value #HEADER}{@code : 1} so
 * model-server logs can tell them apart, go over HTTPS to a pool with {@code tls} (its CA bundle, server name and
 * client certificate) and carry the pool's {@code upstreamAuth.apiKeyFile} key, as requests do.
 */
final class HealthCheckLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthCheckLoop.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Marks a check request. */
    static final String HEADER = "x-jetway-health-check";
    /** How long the loop sleeps when nothing is due (it is woken when the endpoint is ejected). */
    private static final long IDLE_NANOS = 60_000_000_000L;

    private final EndpointStanding standing;
    private final Thread thread;
    private volatile boolean running = true;
    private boolean warnedClientError;

    HealthCheckLoop(EndpointStanding standing) {
        this.standing = standing;
        this.thread = Thread.ofVirtual().name("health-check-" + standing.address).unstarted(this::loop);
        standing.loop = this;
    }

    HealthCheckLoop start() {
        thread.start();
        return this;
    }

    EndpointStanding standing() {
        return standing;
    }

    /** Re-plans the endpoint's next check now (it was just ejected, or settings changed). */
    static void wake(EndpointStanding s) {
        HealthCheckLoop loop = s.loop;
        if (loop != null) {
            LockSupport.unpark(loop.thread);
        }
    }

    private void loop() {
        while (running && !standing.removed) {
            long sleep = step();
            if (!running || Thread.currentThread().isInterrupted()) {
                return;
            }
            LockSupport.parkNanos(Math.max(1_000_000, sleep));
        }
    }

    /** Does what is due now; returns how long until the next look. */
    long step() {
        OutlierDetector detector = standing.detector;
        HealthCheckSettings c = detector.checks();
        long now = detector.now();
        if (standing.ejected) {
            long left = standing.ejectedUntilNanos - now;
            if (left > 0) {
                return left;
            }
            if (!c.enabled()) {
                detector.readmitIfDue(standing);
                return IDLE_NANOS;
            }
            return check(c) ? c.interval().toNanos() : c.unhealthyInterval().toNanos();
        }
        if (!c.enabled()) {
            return IDLE_NANOS;
        }
        if (!standing.checked) {
            return check(c) ? c.interval().toNanos() : c.unhealthyInterval().toNanos();
        }
        // in rotation: checked when quiet; sooner again after a failed check with no answer since
        long last = Math.max(standing.lastOutcomeNanos, standing.lastCheckNanos);
        boolean doubtful = !standing.lastCheckPassed && standing.lastCheckNanos != Long.MIN_VALUE
                && standing.consecutiveGatewayFailures > 0; // and no answer since, which would have reset the count
        long due = (doubtful ? c.unhealthyInterval() : c.interval()).toNanos();
        long quiet = last == Long.MIN_VALUE ? Long.MAX_VALUE : now - last;
        if (quiet < due) {
            return due - quiet;
        }
        GatewayEndpoint e = standing.endpoint;
        if (e == null || !e.ready()
                || (e.endpoint().ownInFlight().requests() > 0 && detector.checkBudget(e) < 0)) {
            return due;
        }
        return check(c) ? c.interval().toNanos() : c.unhealthyInterval().toNanos();
    }

    /** One check; its outcome goes to the detector. */
    boolean check(HealthCheckSettings c) {
        OutlierDetector detector = standing.detector;
        GatewayEndpoint target = standing.endpoint;
        Duration timeout = c.timeout();
        long budget = target == null ? -1 : detector.checkBudget(target);
        if (budget > timeout.toNanos()) {
            timeout = Duration.ofNanos(budget);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(detector.scheme() + "://" + standing.address
                + c.path())).timeout(timeout).header(HEADER, "1");
        String key = detector.upstreamKey();
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        HttpClient http = detector.http();
        if (c.completion()) {
            request.header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(c, model(c))));
        } else {
            request.GET();
        }
        String error;
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status < 500) {
                if (status >= 400 && !warnedClientError) {
                    // the server answered, so it counts as alive; but the check itself is likely misconfigured
                    warnedClientError = true;
                    log.warn("health check of {} got HTTP {} (counted as passed: the server answers); check the "
                            + "pool's healthCheck.path and healthCheck.model", standing.address, status);
                }
                detector.checkPassed(standing);
                return true;
            }
            error = "HTTP " + status;
        } catch (HttpTimeoutException e) {
            error = "no answer within " + timeout.toMillis() + " ms";
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (running && !standing.removed) {
            detector.checkFailed(standing, error);
        }
        return false;
    }

    /** The model to name: configured, else the pool's first, else the endpoint's first listed, else none. */
    private String model(HealthCheckSettings c) {
        if (c.model() != null) {
            return c.model();
        }
        List<String> models = standing.detector.models();
        if (!models.isEmpty()) {
            return models.getFirst();
        }
        GatewayEndpoint e = standing.endpoint;
        return e == null || e.servedModels().isEmpty() ? null : e.servedModels().getFirst();
    }

    static String body(HealthCheckSettings c, String model) {
        ObjectNode body = JSON.createObjectNode();
        if (model != null) {
            body.put("model", model);
        }
        if (c.chat()) {
            body.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        } else {
            body.put("prompt", "Hi");
        }
        body.put("max_tokens", 1);
        body.put("stream", false);
        return body.toString();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
