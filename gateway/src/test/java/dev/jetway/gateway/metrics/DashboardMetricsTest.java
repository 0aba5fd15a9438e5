package dev.jetway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/ query only metrics a running gateway exposes: every
 * series name in their expressions is on /metrics at the first scrape, before any request (a renamed metric, or one
 * that only appears with its first event, would leave a panel or an alert silently empty).
 */
class DashboardMetricsTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    /** Series names of Jetway, llm-d's EPP, the JVM and the process (not PromQL functions or labels). */
    private static final Pattern METRIC = Pattern.compile("\\b((?:llm_d_epp|jetway|jvm|process|system)_[a-z0-9_]+)");

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryExists() throws Exception {
        List<String> expressions = new ArrayList<>();
        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/jetway-dashboard.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        JsonNode rules = new YAMLMapper().readTree(DEPLOY.resolve("prometheus/jetway-alerts.yaml").toFile());
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.add(rule.path("expr").asText());
            }
        }
        assertThat(expressions).hasSizeGreaterThan(20);
        Set<String> queried = new TreeSet<>();
        for (String expr : expressions) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                queried.add(m.group(1));
            }
        }

        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml(null, "", List.of(backend.address())))) {
            Set<String> exposed = seriesNames(gw.metricsPage()); // the first scrape: no request yet
            assertThat(queried).as("metrics the dashboard and alerts query").isNotEmpty()
                    .allSatisfy(name -> assertThat(exposed).as(name + " on the first scrape").contains(name));
        }
    }

    @Test
    void theDashboardIsValidGrafanaJson() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DEPLOY.resolve(
                "grafana/jetway-dashboard.json")));
        assertThat(dashboard.path("uid").asText()).isEqualTo("jetway-gateway");
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel ids").isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
        }
    }

    /** The names of every series on a metrics page. */
    private static Set<String> seriesNames(String page) {
        return page.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toSet());
    }
}
