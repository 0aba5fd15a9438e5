package dev.jetway.gateway.path;

import dev.jetway.scheduler.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The endpoints a data plane allows for one request (GIE's endpoint-picker protocol: Envoy's
 * {@code envoy.lb.subset_hint / x-gateway-destination-endpoint-subset}): only ready endpoints of the pool that are in
 * the subset are candidates. An entry {@code ip:port} names one endpoint; an entry without a port names every endpoint
 * on that host (GIE's first EPPs matched the subset by IP).
 *
 * @param entries the hint's entries as sent
 */
public record EndpointSubset(Set<String> entries) {

    public EndpointSubset {
        entries = Set.copyOf(entries);
    }

    public boolean allows(Endpoint endpoint) {
        String address = endpoint.address();
        if (entries.contains(address)) {
            return true;
        }
        int colon = address.lastIndexOf(':');
        return colon > 0 && entries.contains(address.substring(0, colon));
    }

    /** The members of {@code candidates} the subset allows, in their order. */
    public List<Endpoint> filter(List<Endpoint> candidates) {
        List<Endpoint> out = new ArrayList<>(Math.min(candidates.size(), entries.size()));
        for (Endpoint e : candidates) {
            if (allows(e)) {
                out.add(e);
            }
        }
        return out;
    }
}
