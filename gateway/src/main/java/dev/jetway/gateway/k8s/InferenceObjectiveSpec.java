package dev.jetway.gateway.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;

/**
 * An InferenceObjective: requests naming it in {@code x-llm-d-inference-objective} get its priority.
 *
 * @param name     its {@code metadata.name}, the name clients send
 * @param priority {@code spec.priority}; absent = 0, negative = sheddable
 * @param poolName {@code spec.poolRef.name}: the InferencePool it applies to
 */
public record InferenceObjectiveSpec(String name, int priority, String poolName) {

    /** Reads {@code objective}; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static InferenceObjectiveSpec from(GenericKubernetesResource objective) {
        String name = objective.getMetadata().getName();
        if (!(objective.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)) {
            throw new IllegalArgumentException("has no spec");
        }
        if (!(spec.get("poolRef") instanceof Map<?, ?> ref) || ref.get("name") == null) {
            throw new IllegalArgumentException("spec.poolRef.name is missing");
        }
        Object priority = spec.get("priority");
        if (priority != null && !(priority instanceof Number)) {
            throw new IllegalArgumentException("spec.priority must be an integer, got " + priority);
        }
        return new InferenceObjectiveSpec(name, priority == null ? 0 : ((Number) priority).intValue(),
                String.valueOf(ref.get("name")));
    }
}
