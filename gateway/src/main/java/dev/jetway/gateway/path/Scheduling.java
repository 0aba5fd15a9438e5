package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.PdDecision;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.spi.Rejection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of a pool's scheduler for a request, with what its answer means for the client: the first decision (the
 * schedule stage) and every failover's fresh decision go through here.
 */
public final class Scheduling {

    private static final Logger log = LoggerFactory.getLogger(Scheduling.class);

    private Scheduling() {
    }

    /** The scheduler's decision, or why the request cannot be served. */
    public sealed interface Outcome {
    }

    public record Decided(SchedulingResult result) implements Outcome {
    }

    public record Refused(OpenAiError error) implements Outcome {
    }

    public static Outcome schedule(GatewayPool pool, InferenceRequest inference, List<Endpoint> candidates,
                                   GatewayMetrics metrics) {
        long t0 = System.nanoTime();
        SchedulingResult result;
        try {
            result = pool.scheduler().schedule(inference, candidates);
        } catch (RuntimeException e) {
            log.error("scheduling {} failed", inference.requestId(), e);
            return new Refused(OpenAiError.internal("scheduling failed (logged)"));
        }
        metrics.schedulerDuration(System.nanoTime() - t0);
        Rejection rejection = result.rejection();
        if (rejection != null) {
            // not to be served now (e.g. sheddable and no endpoint predicted to meet its latency objectives):
            // answered as the admitter says, never retried elsewhere
            log.debug("{}: rejected by {}: {} ({})", inference.requestId(), rejection.admitter(),
                    rejection.droppedReason(), rejection.message());
            return new Refused(OpenAiError.rejected(rejection));
        }
        if (log.isDebugEnabled()) {
            log.debug("decision {}", result.decision().toCompactString());
        }
        PdDecision pd = result.pd();
        if (pd != null && pd.blocked()) {
            metrics.pd().decided(pool.name(), pd);
            return new Refused(OpenAiError.noEndpoint("pool " + pool.name() + " splits this request into prefill and "
                    + "decode (" + pd.decider() + ": " + pd.reason() + ") and aggregatedFallback is off"));
        }
        if (result.isEmpty()) {
            return new Refused(OpenAiError.noEndpoint("no endpoint of pool " + pool.name()
                    + " is eligible for this request"));
        }
        return new Decided(result);
    }
}
