package dev.jetway.bench.traffic;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One class of senders in a workload's {@code traffic} section: a share of the requests, and who sends them.
 *
 * <p>A live benchmark sends each of the class's requests with {@link #headers()}; the gateway reads the objective's
 * priority from its own config ({@code admission.objectives}). The simulator has no gateway config, so the class
 * states the {@link #priority} its objective maps to, and the simulated request carries it.
 *
 * @param name      unique within the workload; names the class in reports
 * @param share     fraction of all requests (the shares of a workload add up to 1)
 * @param tenant    the fairness id ({@code x-llm-d-inference-fairness-id}), or null to send none (the gateway's
 *                  {@code default-flow})
 * @param objective the InferenceObjective name ({@code x-llm-d-inference-objective}), or null to send none
 * @param priority  the objective's priority as the gateway maps it: what the simulated request carries; negative =
 *                  sheddable
 * @param headers   every header sent with the class's requests, names lower-cased: the objective, fairness id and
 *                  latency objectives under llm-d's names, then any others the workload lists
 */
public record TrafficClass(String name, double share, String tenant, String objective, int priority,
                           Map<String, String> headers) {

    public TrafficClass {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a traffic class needs a name");
        }
        if (!(share > 0) || share > 1) {
            throw new IllegalArgumentException("share must be in (0, 1]: " + share);
        }
        Map<String, String> lower = new LinkedHashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), Objects.requireNonNull(v, k)));
        headers = java.util.Collections.unmodifiableMap(lower);
        if (tenant != null && !tenant.equals(lower.get(TrafficHeaders.FAIRNESS_ID))) {
            throw new IllegalArgumentException("tenant " + tenant + " must be sent as " + TrafficHeaders.FAIRNESS_ID);
        }
        if (objective != null && !objective.equals(lower.get(TrafficHeaders.OBJECTIVE))) {
            throw new IllegalArgumentException("objective " + objective + " must be sent as " + TrafficHeaders.OBJECTIVE);
        }
    }

    /** A class whose headers are exactly its tenant and objective (either may be null). */
    public static TrafficClass of(String name, double share, String tenant, String objective, int priority) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (objective != null) {
            headers.put(TrafficHeaders.OBJECTIVE, objective);
        }
        if (tenant != null) {
            headers.put(TrafficHeaders.FAIRNESS_ID, tenant);
        }
        return new TrafficClass(name, share, tenant, objective, priority, headers);
    }

    /** llm-d's rule: a negative priority may be shed. */
    public boolean sheddable() {
        return priority < 0;
    }
}
