package dev.jetway.gateway.path;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.config.DisaggregationSettings;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.PdMetrics;
import dev.jetway.gateway.proxy.PdBodies;
import dev.jetway.gateway.proxy.PrefillExchange;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.scheduler.PdDecision;
import java.io.IOException;

/**
 * Prefill/decode disaggregation, for a request the pool's {@code disagg-profile-handler} split: counts the decision,
 * then carries the prefill leg the pool's way ({@link DisaggregationSettings}):
 * <ul>
 *   <li>{@code gateway}: a {@link PrefillExchange} prefills the prompt on the prefill endpoint and the path resumes
 *       with the decode leg, whose body carries the prefill's {@code kv_transfer_params};</li>
 *   <li>{@code sidecar}: the decode leg goes out with {@code x-prefiller-host-port} and the decode pod's llm-d sidecar
 *       runs the prefill leg.</li>
 * </ul>
 * In endpoint-picker mode ({@code jetway epp}) a split is always carried the sidecar's way.
 * A request that is not split (or a pool without P/D) passes through untouched.
 */
final class PrefillStage implements RequestStage {

    private final PdMetrics metrics;
    /**
     * Every split goes to the decode endpoint's sidecar, whatever the pool's mode: in endpoint-picker mode Envoy
     * carries the request and nobody could run a prefill leg in between.
     */
    private final boolean sidecarOnly;

    /** The pools' upstream keys (the prefill leg carries them too). */
    private final AccessControl access;

    PrefillStage(PdMetrics metrics, boolean sidecarOnly, AccessControl access) {
        this.metrics = metrics;
        this.sidecarOnly = sidecarOnly;
        this.access = access;
    }

    @Override
    public String name() {
        return "prefill";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        PdDecision pd = request.decision().pd();
        if (pd == null) {
            return StageResult.NEXT;
        }
        metrics.decided(request.pool().name(), pd);
        if (pd.kind() == PdDecision.Kind.NO_PREFILL_ENDPOINT) {
            metrics.aggregatedFallback(); // blocked decisions never get here: the schedule stage answered 503
            request.pool().scheduler().fallBackToAggregated(request.decision());
            return StageResult.NEXT;
        }
        if (!pd.disaggregate()) {
            return StageResult.NEXT;
        }
        DisaggregationSettings settings = request.pool().config().disaggregation();
        if (sidecarOnly || !settings.gatewayDriven()) {
            request.split(new SplitLeg(pd.prefillEndpoint(), -1, true));
            return StageResult.NEXT;
        }
        ObjectNode body;
        try {
            body = PdBodies.read(request.http().content());
        } catch (IOException e) {
            return StageResult.reply(OpenAiError.badRequest("the request body cannot be split into prefill and decode "
                    + "legs: it is not a JSON object", null));
        }
        new PrefillExchange(request, settings, metrics, body, access.upstreamKey(request.pool().name())).start();
        return StageResult.SUSPENDED;
    }
}
