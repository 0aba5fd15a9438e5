package dev.jetway.gateway.discovery;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.PoolConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** One log line per discovered pool whose endpoints changed: which joined, which left. */
final class PoolChanges {

    private PoolChanges() {
    }

    static List<String> describe(GatewayConfig before, GatewayConfig after) {
        List<String> lines = new ArrayList<>();
        for (PoolConfig p : after.pools()) {
            if (!p.discovered()) {
                continue;
            }
            Set<String> now = addresses(p);
            Set<String> was = new LinkedHashSet<>();
            if (before != null) {
                before.pools().stream().filter(q -> q.name().equals(p.name())).findFirst()
                        .ifPresent(q -> was.addAll(addresses(q)));
            }
            Set<String> joined = new LinkedHashSet<>(now);
            joined.removeAll(was);
            Set<String> left = new LinkedHashSet<>(was);
            left.removeAll(now);
            if (!joined.isEmpty() || !left.isEmpty()) {
                lines.add("pool " + p.name() + ": " + now.size() + " endpoint(s)"
                        + (joined.isEmpty() ? "" : ", joined " + joined) + (left.isEmpty() ? "" : ", left " + left));
            }
        }
        return lines;
    }

    private static Set<String> addresses(PoolConfig p) {
        Set<String> out = new LinkedHashSet<>();
        for (EndpointConfig e : p.endpoints()) {
            out.add(e.address());
        }
        return out;
    }
}
