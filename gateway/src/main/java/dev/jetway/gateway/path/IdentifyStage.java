package dev.jetway.gateway.path;

import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.latency.SloTargets;
import java.util.function.Supplier;

/**
 * Who the request is and what it asks for ({@link RequestIdentity}), from llm-d's request headers: the
 * InferenceObjective and its priority, the fairness id (the API key's tenant when the request has one), the latency
 * objectives. A malformed latency objective is a
 * 400 naming the header, before anything is queued or scheduled, rather than an objective silently ignored.
 */
final class IdentifyStage implements RequestStage {

    static final String OBJECTIVE_HEADER = "x-llm-d-inference-objective";
    static final String LEGACY_OBJECTIVE_HEADER = "x-gateway-inference-objective";

    /** The live configuration's objectives (they change with a reload). */
    private final Supplier<AdmissionSettings> admission;

    IdentifyStage(Supplier<AdmissionSettings> admission) {
        this.admission = admission;
    }

    @Override
    public String name() {
        return "identify";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        SloTargets slo;
        try {
            slo = SloTargets.parse(request::header);
        } catch (SloTargets.InvalidHeader e) {
            return StageResult.reply(OpenAiError.badRequest(e.getMessage(), e.header()));
        }
        String objective = canonical(request, OBJECTIVE_HEADER, LEGACY_OBJECTIVE_HEADER);
        // a key's tenant is who the request is: the client's fairness header cannot claim another
        String fairnessId = request.caller() != null ? request.caller().tenant()
                : canonical(request, InferenceRequest.FAIRNESS_HEADER, InferenceRequest.LEGACY_FAIRNESS_HEADER);
        request.identity(new RequestIdentity(objective, admission.get().priorityOf(objective),
                fairnessId == null || fairnessId.isEmpty() ? InferenceRequest.DEFAULT_FAIRNESS_ID : fairnessId, slo));
        return StageResult.NEXT;
    }

    private static String canonical(GatewayRequest request, String name, String legacy) {
        String value = request.header(name);
        return value != null ? value : request.header(legacy);
    }
}
