package dev.jetway.cli;

import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.traffic.TrafficMix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A workload's traffic classes in a report's settings, for provenance (nothing for a workload without them). */
final class TrafficSettings {

    private TrafficSettings() {
    }

    static void put(TrafficMix traffic, Map<String, Object> settings) {
        if (traffic.isEmpty()) {
            return;
        }
        List<Map<String, Object>> classes = new ArrayList<>();
        for (TrafficClass c : traffic.classes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("share", c.share());
            m.put("priority", c.priority());
            m.put("headers", c.headers());
            classes.add(m);
        }
        settings.put("traffic_seed", traffic.seed());
        settings.put("traffic_classes", classes);
    }
}
