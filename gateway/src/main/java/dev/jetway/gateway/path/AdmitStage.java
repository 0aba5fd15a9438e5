package dev.jetway.gateway.path;

import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.scheduler.flow.FlowController;
import dev.jetway.scheduler.flow.UtilizationDetector;

/**
 * Admission. With the pool's flow control on (feature gate {@code flowControl} in its EndpointPickerConfig), the
 * request goes through the pool's flow controller ({@link FlowAdmission}): let through, queued until there is room,
 * or refused. Without it, llm-d's legacy admission: a sheddable request (negative priority) is refused with 429
 * {@code rejected-saturated} while the pool is saturated; everything else goes on to scheduling.
 */
final class AdmitStage implements RequestStage {

    private final RoutingState routing;
    private final GatewayMetrics metrics;
    /** The detector of the live config's admission settings; rebuilt when a reload replaces them. */
    private volatile Legacy legacy;

    AdmitStage(RoutingState routing, GatewayMetrics metrics) {
        this.routing = routing;
        this.metrics = metrics;
    }

    /**
     * llm-d's utilization detector with the thresholds of {@code admission} in jetway.yaml, and Jetway's rule for
     * stale metrics (estimated from the gateway's own counters, never "saturated" for being late: a late scrape must
     * not shed every sheddable request).
     */
    private UtilizationDetector detector(AdmissionSettings admission) {
        Legacy current = legacy;
        if (current == null || current.settings() != admission) {
            current = new Legacy(admission, new UtilizationDetector("admission", new UtilizationDetector.Params(
                    admission.queueDepthThreshold(), admission.kvCacheUtilThreshold(),
                    admission.metricsStalenessThreshold(), 0.0)));
            legacy = current;
        }
        return current.detector();
    }

    private record Legacy(AdmissionSettings settings, UtilizationDetector detector) {
    }

    @Override
    public String name() {
        return "admit";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        FlowController flow = request.pool().flowController();
        if (flow != null) {
            return FlowAdmission.submit(request, flow, metrics);
        }
        if (request.identity().sheddable()) {
            AdmissionSettings admission = routing.config().admission();
            if (detector(admission).measure(request.pool().readyCandidates(), System.nanoTime()).saturation() >= 1.0) {
                return StageResult.reply(OpenAiError.shed("system saturated, sheddable request dropped",
                        "rejected-saturated"));
            }
        }
        return StageResult.NEXT;
    }
}
