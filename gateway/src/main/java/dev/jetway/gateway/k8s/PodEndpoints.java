package dev.jetway.gateway.k8s;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HostPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The endpoints of an InferencePool, as GIE's endpoint picker derives them: every pod its selector matches that is
 * Ready, has an IP and is not being deleted gives one endpoint per target port, {@code podIP:port} (rank i = the i-th
 * port). The pod's labels become the endpoint's labels ({@code llm-d.ai/role} among them, which the P/D filters read).
 */
public final class PodEndpoints {

    private PodEndpoints() {
    }

    /**
     * @param kvEventsPort the pods' KV-event publisher port (rank i publishes on port + i), or null for none
     * @return endpoints in a stable order (pod name, then rank), so that an unchanged pool compares equal
     */
    public static List<EndpointConfig> of(InferencePoolSpec pool, Collection<Pod> pods, Integer kvEventsPort) {
        List<Pod> members = new ArrayList<>();
        for (Pod pod : pods) {
            if (pool.selects(pod.getMetadata().getLabels()) && serving(pod)) {
                members.add(pod);
            }
        }
        members.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        List<EndpointConfig> out = new ArrayList<>(members.size() * pool.targetPorts().size());
        Set<String> seen = new HashSet<>();
        for (Pod pod : members) {
            String ip = pod.getStatus().getPodIP();
            Map<String, String> labels = pod.getMetadata().getLabels();
            for (int rank = 0; rank < pool.targetPorts().size(); rank++) {
                String kvEvents = kvEventsPort == null ? null
                        : "tcp://" + new HostPort(ip, kvEventsPort + rank);
                String address = new HostPort(ip, pool.targetPorts().get(rank)).toString();
                if (seen.add(address)) { // host-network pods of one node share an IP: the first one wins
                    out.add(new EndpointConfig(address, labels, null, kvEvents, null));
                }
            }
        }
        return out;
    }

    /** Ready, addressable and not on its way out: what Kubernetes itself would send Service traffic to. */
    static boolean serving(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
            return false;
        }
        String ip = pod.getStatus().getPodIP();
        if (ip == null || ip.isBlank()) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }
}
