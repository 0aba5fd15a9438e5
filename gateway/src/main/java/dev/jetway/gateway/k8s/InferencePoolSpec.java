package dev.jetway.gateway.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an InferencePool's spec that decide its endpoints.
 *
 * @param selector    {@code spec.selector.matchLabels}: the pods it selects
 * @param targetPorts {@code spec.targetPorts[].number}: each selected pod is one endpoint per port (data-parallel
 *                    ranks of one server)
 * @param appProtocol {@code spec.appProtocol} ({@code http} when absent, or {@code kubernetes.io/h2c})
 */
public record InferencePoolSpec(Map<String, String> selector, List<Integer> targetPorts, String appProtocol) {

    /** GIE's limit on {@code targetPorts}. */
    static final int MAX_TARGET_PORTS = 8;

    public InferencePoolSpec {
        selector = Map.copyOf(selector);
        targetPorts = List.copyOf(targetPorts);
        appProtocol = appProtocol == null ? "http" : appProtocol;
    }

    /** Reads the spec of {@code pool}; throws {@link IllegalArgumentException} saying what is wrong with it. */
    @SuppressWarnings("unchecked")
    public static InferencePoolSpec from(GenericKubernetesResource pool) {
        Object specValue = pool.getAdditionalProperties().get("spec");
        if (!(specValue instanceof Map<?, ?> spec)) {
            throw new IllegalArgumentException("has no spec");
        }
        Map<String, String> selector = new LinkedHashMap<>();
        if (spec.get("selector") instanceof Map<?, ?> sel) {
            if (sel.get("matchLabels") instanceof Map<?, ?> labels) {
                labels.forEach((k, v) -> selector.put(String.valueOf(k), String.valueOf(v)));
            }
        }
        if (selector.isEmpty()) {
            // an empty selector would select every pod of the namespace: surely not meant
            throw new IllegalArgumentException("spec.selector.matchLabels is empty");
        }
        List<Integer> ports = new ArrayList<>();
        if (spec.get("targetPorts") instanceof List<?> list) {
            for (Object entry : list) {
                Object number = entry instanceof Map<?, ?> m ? m.get("number") : null;
                if (!(number instanceof Number n) || n.intValue() < 1 || n.intValue() > 65535) {
                    throw new IllegalArgumentException("spec.targetPorts has an entry without a port number: "
                            + entry);
                }
                if (!ports.contains(n.intValue())) {
                    ports.add(n.intValue());
                }
            }
        }
        if (ports.isEmpty() || ports.size() > MAX_TARGET_PORTS) {
            throw new IllegalArgumentException("spec.targetPorts must list 1 to " + MAX_TARGET_PORTS + " ports, got "
                    + ports.size());
        }
        Object protocol = spec.get("appProtocol");
        return new InferencePoolSpec(selector, ports, protocol == null ? null : String.valueOf(protocol));
    }

    /** Whether a pod with {@code labels} is one of the pool's. */
    public boolean selects(Map<String, String> labels) {
        if (labels == null) {
            return false;
        }
        for (var e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
