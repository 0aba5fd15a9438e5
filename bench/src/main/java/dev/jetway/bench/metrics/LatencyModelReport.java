package dev.jetway.bench.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jetway.scheduler.latency.LatencyModel;
import java.util.List;

/**
 * How well a policy's latency model predicted, at the end of the run: the mean absolute percentage error of its
 * last predictions (a window of 256 per endpoint and kind, so it reads as steady state, not the learning phase),
 * over the pool and per endpoint. Null fields: no response of that kind (e.g. no TPOT without streaming).
 *
 * @param ttftMape  pool-wide TTFT MAPE (0.05 = 5%)
 * @param tpotMape  pool-wide TPOT MAPE
 * @param e2eMape   pool-wide MAPE of non-streamed end-to-end times
 * @param endpoints per endpoint and kind
 */
public record LatencyModelReport(@JsonProperty("ttft_mape") Double ttftMape, @JsonProperty("tpot_mape") Double tpotMape,
                                 @JsonProperty("e2e_mape") Double e2eMape, List<EndpointError> endpoints) {

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
        return new LatencyModelReport(ttft, tpot, e2e, List.copyOf(perEndpoint));
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
