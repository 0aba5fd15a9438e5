package dev.jetway.bench.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jetway.scheduler.latency.LatencyModel;
import java.util.List;

/**
 * How well a policy's latency model predicted: the mean absolute percentage error in steady state (every prediction
 * observed while the workload arrived, after a warm-up; simulations only) and at the end of the run (the model's own
 * window of its last predictions, 256 per endpoint and kind, as {@code jetway_latency_prediction_error} exports it;
 * in a simulation that window falls in the drain after the last arrival), over the pool and per endpoint. Null
 * fields: no response of that kind (e.g. no TPOT without streaming).
 *
 * @param ttftMape  pool-wide TTFT MAPE (0.05 = 5%), end of run
 * @param tpotMape  pool-wide TPOT MAPE, end of run
 * @param e2eMape   pool-wide MAPE of non-streamed end-to-end times, end of run
 * @param endpoints per endpoint and kind, end of run
 * @param steady    pool-wide, in steady state; null when not measured
 */
public record LatencyModelReport(@JsonProperty("ttft_mape") Double ttftMape, @JsonProperty("tpot_mape") Double tpotMape,
                                 @JsonProperty("e2e_mape") Double e2eMape, List<EndpointError> endpoints,
                                 SteadyState steady) {

    /**
     * The pool's error over the observations made from {@code fromSeconds} (after the warm-up) to {@code toSeconds}
     * (the last arrival).
     */
    public record SteadyState(@JsonProperty("from_s") double fromSeconds, @JsonProperty("to_s") double toSeconds,
                              @JsonProperty("ttft_mape") Double ttftMape, @JsonProperty("tpot_mape") Double tpotMape,
                              @JsonProperty("e2e_mape") Double e2eMape, long observations) {
    }

    public LatencyModelReport withSteady(SteadyState steady) {
        return new LatencyModelReport(ttftMape, tpotMape, e2eMape, endpoints, steady);
    }

    /** One endpoint's error of one kind. */
    public record EndpointError(String endpoint, String kind, double mape, int window, long observations) {
    }

    public static LatencyModelReport of(List<LatencyModel.PredictionError> errors) {
        Double ttft = null;
        Double tpot = null;
        Double e2e = null;
        List<EndpointError> perEndpoint = new java.util.ArrayList<>();
        for (LatencyModel.PredictionError e : errors) {
            if (e.endpointId() == null) {
                switch (e.kind()) {
                    case TTFT -> ttft = e.mape();
                    case TPOT -> tpot = e.mape();
                    case E2E -> e2e = e.mape();
                }
            } else {
                perEndpoint.add(new EndpointError(e.endpointId(), e.kind().label(), e.mape(), e.window(), e.total()));
            }
        }
        return new LatencyModelReport(ttft, tpot, e2e, List.copyOf(perEndpoint), null);
    }

    /** The largest MAPE of one kind over the endpoints, or null. */
    public Double worstEndpoint(String kind) {
        Double worst = null;
        for (EndpointError e : endpoints) {
            if (e.kind().equals(kind) && (worst == null || e.mape() > worst)) {
                worst = e.mape();
            }
        }
        return worst;
    }
}
