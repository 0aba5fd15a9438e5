package dev.jetway.scheduler.plugins.admitter;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.spi.Admitter;
import dev.jetway.scheduler.spi.LatencyPredictionReader;
import dev.jetway.scheduler.spi.Rejection;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;

/**
 * {@code latency-slo-admitter} (llm-d): refuses a <em>sheddable</em> request (negative priority) that carries
 * latency objectives when no endpoint is predicted to meet them, none is idle (no running requests) and none is
 * cold (KV usage under 2%, where predictions are least certain). The answer is 429 with
 * {@code x-llm-d-request-dropped-reason: rejected-saturated}: the request never reached an engine and may be retried.
 * Requests of priority ≥ 0, requests without objectives, and requests with no predictions are always admitted
 * (best effort), as in llm-d.
 */
public record LatencySloAdmitter(String name, String latencyPredictionInfoProducerName)
        implements Admitter, LatencyPredictionReader {

    public static final String TYPE = "latency-slo-admitter";
    public static final String DROPPED_REASON = "rejected-saturated";
    private static final double COLD_KV_USAGE = 0.02;

    public static LatencySloAdmitter create(String name, PluginParameters p) {
        return new LatencySloAdmitter(name, p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String latencyPredictionProducerName() {
        return latencyPredictionInfoProducerName;
    }

    @Override
    public String describeParameters() {
        return "latencyPredictionInfoProducerName=" + latencyPredictionInfoProducerName;
    }

    @Override
    public Rejection admit(SchedulingContext context) {
        if (context.request().priority() >= 0) {
            return null;
        }
        LatencyPredictions p = latencyPredictions(context);
        if (p == null || !p.slo().any()) {
            return null;
        }
        List<Endpoint> endpoints = context.endpoints();
        for (int slot = 0; slot < endpoints.size(); slot++) {
            EndpointMetrics m = endpoints.get(slot).metrics();
            if (p.meetsSlo(slot) || m.runningRequests() == 0 || m.kvCacheUsage() < COLD_KV_USAGE) {
                return null;
            }
        }
        return new Rejection(429, DROPPED_REASON, "no endpoint is predicted to meet the request's latency "
                + "objectives (" + describe(p) + ") and the request is sheddable", name);
    }

    private static String describe(LatencyPredictions p) {
        StringBuilder sb = new StringBuilder();
        if (p.slo().ttftSeconds() > 0) {
            sb.append("TTFT ").append(Math.round(p.slo().ttftSeconds() * 1000)).append(" ms");
        }
        if (p.slo().tpotSeconds() > 0) {
            sb.append(sb.isEmpty() ? "" : ", ").append("TPOT ").append(Math.round(p.slo().tpotSeconds() * 1000))
                    .append(" ms");
        }
        return sb.toString();
    }
}
