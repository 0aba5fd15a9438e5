package dev.jetway.gateway.outlier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;

/**
 * The admin port's {@code GET /endpoints}: per pool, each endpoint's standing: scrape readiness, health checks,
 * ejection (why, for how much longer, the multiplier) and the outcomes its next ejection would be decided on.
 */
public final class EndpointsView {

    private EndpointsView() {
    }

    public static String json(OutlierDetectors detectors) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode pools = root.putArray("pools");
        var sorted = detectors.detectors();
        sorted.sort(Comparator.comparing(OutlierDetector::pool));
        for (OutlierDetector d : sorted) {
            ObjectNode pool = pools.addObject();
            pool.put("name", d.pool());
            pool.put("outlierDetection", d.settings().enabled());
            pool.put("healthChecks", d.checks().enabled());
            ArrayNode endpoints = pool.putArray("endpoints");
            for (OutlierDetector.View v : d.view()) {
                ObjectNode e = endpoints.addObject();
                e.put("address", v.address());
                e.put("inRotation", v.inRotation());
                e.put("ready", v.ready());
                e.put("checked", v.checked());
                e.put("ejected", v.ejected());
                if (v.ejected()) {
                    e.put("ejectionReason", v.ejectionReason());
                    e.put("ejectedForMillis", v.ejectedForMillis());
                }
                e.put("ejectionMultiplier", v.ejectionMultiplier());
                e.put("consecutive5xx", v.consecutive5xx());
                e.put("consecutiveGatewayFailures", v.consecutiveGatewayFailures());
                e.put("lastCheck", v.lastCheck());
                if (v.lastCheckError() != null) {
                    e.put("lastCheckError", v.lastCheckError());
                }
                ArrayNode pace = e.putArray("recentSecondsPerToken");
                for (double p : v.recentSecondsPerToken()) {
                    pace.add(p);
                }
            }
        }
        return root.toString();
    }
}
