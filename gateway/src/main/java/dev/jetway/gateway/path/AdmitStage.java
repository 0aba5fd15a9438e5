package dev.jetway.gateway.path;

import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.gateway.routing.SaturationDetector;

/**
 * llm-d's admission without flow control: a sheddable request (negative priority) is refused with 429
 * {@code rejected-saturated} while the pool is saturated; everything else goes on to scheduling.
 */
final class AdmitStage implements RequestStage {

    private final RoutingState routing;

    AdmitStage(RoutingState routing) {
        this.routing = routing;
    }

    @Override
    public String name() {
        return "admit";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        if (request.identity().sheddable()) {
            AdmissionSettings admission = routing.config().admission();
            if (SaturationDetector.saturated(request.pool(), admission, System.nanoTime())) {
                return StageResult.reply(OpenAiError.shed("system saturated, sheddable request dropped",
                        "rejected-saturated"));
            }
        }
        return StageResult.NEXT;
    }
}
