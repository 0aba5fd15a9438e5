package dev.jetway.gateway.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.jetway.gateway.config.ConfigMapKeyRef;
import dev.jetway.gateway.discovery.ProblemLog;
import dev.jetway.gateway.routing.PickerConfigs;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * EndpointPickerConfigs held in ConfigMaps. A new document is checked as a reload would build it (parsed, plugins
 * resolved, scheduler built) before the pool takes it: a broken edit is reported and the pool keeps the last document
 * that worked, instead of making every later reload (pods joining, leaving) fail with it.
 */
final class ConfigMapPickers {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final ProblemLog problems;
    /** Per pool: the text last looked at, and the last document that passed the check (null: none yet). */
    private final Map<String, Seen> seen = new HashMap<>();

    private record Seen(String text, JsonNode accepted) {
    }

    ConfigMapPickers(ProblemLog problems) {
        this.problems = problems;
    }

    /**
     * The picker for {@code pool} from {@code configMap} (null: not found), or the last one that worked, or null when
     * none has.
     */
    synchronized JsonNode picker(String pool, ConfigMapKeyRef ref, String namespace, ConfigMap configMap,
                                 Path baseDir) {
        String subject = "pool " + pool + " endpointPickerConfigMap " + namespace + "/" + ref.name();
        Seen before = seen.get(pool);
        JsonNode lastGood = before == null ? null : before.accepted();
        String text = configMap == null || configMap.getData() == null ? null : configMap.getData().get(ref.key());
        if (text == null) {
            problems.report(subject, (configMap == null ? "ConfigMap not found" : "ConfigMap has no key " + ref.key())
                    + (lastGood == null ? "; the pool waits for it" : "; keeping the last config that loaded"));
            return lastGood;
        }
        if (before != null && text.equals(before.text())) {
            return lastGood;
        }
        try {
            JsonNode document = YAML.readTree(text);
            if (document == null || !document.isObject()) {
                throw new IllegalArgumentException("expected an EndpointPickerConfig (a mapping with apiVersion, "
                        + "kind, plugins, ...)");
            }
            PickerConfigs.check(document, baseDir, pool);
            seen.put(pool, new Seen(text, document));
            problems.report(subject, null);
            return document;
        } catch (RuntimeException | java.io.IOException e) {
            seen.put(pool, new Seen(text, lastGood));
            problems.report(subject, "key " + ref.key() + " does not load: " + e.getMessage()
                    + (lastGood == null ? "; the pool waits for a config that does" : "; keeping the last one that did"));
            return lastGood;
        }
    }

    /** Whether {@code pool} has a config that loaded. */
    synchronized boolean loaded(String pool) {
        Seen s = seen.get(pool);
        return s != null && s.accepted() != null;
    }

    /** Forgets pools no longer configured with a ConfigMap. */
    synchronized void retain(java.util.Set<String> pools) {
        seen.keySet().retainAll(pools);
    }
}
