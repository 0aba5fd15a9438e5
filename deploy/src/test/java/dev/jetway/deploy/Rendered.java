package dev.jetway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The manifests {@code helm template} renders from deploy/helm/jetway, parsed, with lookups by kind and name. */
record Rendered(List<JsonNode> docs) {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String RELEASE = "demo";
    static final String NAMESPACE = "llm";

    static Path chart() {
        return Path.of(System.getProperty("jetway.chart", "helm/jetway"));
    }

    static Path examples() {
        return Path.of(System.getProperty("jetway.examples", "examples"));
    }

    /** Renders the chart with the chart's values, then each values file of ci/, then the --set pairs. */
    static Rendered template(List<String> ciValues, Map<String, String> sets) {
        return template(RELEASE, ciValues, sets);
    }

    static Rendered template(String release, List<String> ciValues, Map<String, String> sets) {
        TemplateCommand cmd = new Helm(chart()).template().withName(release).withNamespace(NAMESPACE);
        for (String file : ciValues) {
            cmd = cmd.withValuesFile(chart().resolve("ci").resolve(file));
        }
        for (Map.Entry<String, String> e : sets.entrySet()) {
            cmd = cmd.set(e.getKey(), e.getValue());
        }
        return parse(cmd.call());
    }

    static Rendered template(String ciValues, String... setPairs) {
        Map<String, String> sets = new LinkedHashMap<>();
        for (int i = 0; i < setPairs.length; i += 2) {
            sets.put(setPairs[i], setPairs[i + 1]);
        }
        return template(ciValues == null ? List.of() : List.of(ciValues), sets);
    }

    static Rendered parse(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rendered manifests do not parse as YAML:\n" + yaml, e);
        }
        return new Rendered(docs);
    }

    static List<JsonNode> parseFile(Path file) {
        try {
            return parse(Files.readString(file)).docs();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<JsonNode> all(String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind) {
        List<JsonNode> found = all(kind);
        if (found.size() > 1) {
            throw new AssertionError("more than one " + kind + " rendered");
        }
        return found.stream().findFirst();
    }

    JsonNode one(String kind) {
        return find(kind).orElseThrow(() -> new AssertionError("no " + kind + " rendered; kinds: "
                + docs.stream().map(d -> d.path("kind").asText()).toList()));
    }

    JsonNode named(String kind, String name) {
        return all(kind).stream().filter(d -> name.equals(d.at("/metadata/name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered; " + kind + "s: "
                        + all(kind).stream().map(d -> d.at("/metadata/name").asText()).toList()));
    }

    /** The Service clients or the Gateway use (not the replicas' headless one). */
    JsonNode service() {
        List<JsonNode> services = all("Service").stream()
                .filter(d -> !d.at("/metadata/name").asText().endsWith("-peers")).toList();
        if (services.size() != 1) {
            throw new AssertionError("expected one Service besides the peers', got " + services.size());
        }
        return services.getFirst();
    }

    /** The single container of the Deployment. */
    JsonNode container() {
        JsonNode containers = one("Deployment").at("/spec/template/spec/containers");
        if (containers.size() != 1) {
            throw new AssertionError("expected one container, got " + containers.size());
        }
        return containers.get(0);
    }

    /** A file of the ConfigMap, as text. */
    String configFile(String key) {
        JsonNode value = one("ConfigMap").path("data").path(key);
        if (!value.isTextual()) {
            throw new AssertionError("ConfigMap has no " + key + ": " + one("ConfigMap").path("data"));
        }
        return value.asText();
    }

    /** jetway.yaml from the ConfigMap, parsed. */
    JsonNode jetwayYaml() {
        try {
            return YAML.readTree(configFile("jetway.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
