package dev.jetway.gateway.path;

import dev.jetway.scheduler.latency.SloTargets;

/**
 * Who a request is and what it asks for, from its headers (llm-d's names; the older {@code x-gateway-*} ones are read
 * too, the canonical header winning when both are sent).
 *
 * @param objective  the InferenceObjective named by {@code x-llm-d-inference-objective}, or null
 * @param priority   the objective's priority (0 without one); negative = sheddable
 * @param fairnessId the flow, {@code x-llm-d-inference-fairness-id} ({@code default-flow} without one); a tenant
 * @param slo        latency objectives from {@code x-llm-d-slo-ttft-ms} / {@code x-llm-d-slo-tpot-ms}
 */
public record RequestIdentity(String objective, int priority, String fairnessId, SloTargets slo) {

    public boolean sheddable() {
        return priority < 0;
    }
}
