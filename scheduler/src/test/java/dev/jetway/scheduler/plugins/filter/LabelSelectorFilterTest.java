package dev.jetway.scheduler.plugins.filter;

import static dev.jetway.scheduler.Fixtures.context;
import static dev.jetway.scheduler.Fixtures.filter;
import static dev.jetway.scheduler.Fixtures.labeled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorFilterTest {

    private static PluginParameters params(String yaml) throws Exception {
        return new PluginParameters("sel", LabelSelectorFilter.TYPE, new YAMLMapper().readTree(yaml));
    }

    @Test
    void matchLabelsAndExpressionsMustAllHold() throws Exception {
        Endpoint a = labeled("a", Map.of("tier", "gold", "zone", "x"));
        Endpoint b = labeled("b", Map.of("tier", "gold", "zone", "y", "canary", "1"));
        Endpoint c = labeled("c", Map.of("tier", "silver", "zone", "x"));
        var f = LabelSelectorFilter.create("sel", params("""
                matchLabels: {tier: gold}
                matchExpressions:
                - {key: zone, operator: In, values: [x, y]}
                - {key: canary, operator: DoesNotExist}
                """));
        assertThat(filter(f, context(List.of(a, b, c)))).containsExactly(a);
    }

    @Test
    void badOperatorIsAnErrorNamingTheField() {
        assertThatThrownBy(() -> LabelSelectorFilter.create("sel", params("""
                matchExpressions: [{key: zone, operator: Like, values: [x]}]
                """))).hasMessageContaining("plugin 'sel' (label-selector-filter): parameter 'matchExpressions'");
    }

    @Test
    void byLabelAllowsUnlabeledOnlyWhenAsked() throws Exception {
        Endpoint gold = labeled("g", Map.of("tier", "gold"));
        Endpoint none = labeled("n", Map.of());
        var strict = ByLabelFilter.create("bl", new PluginParameters("bl", ByLabelFilter.TYPE,
                new YAMLMapper().readTree("{label: tier, validValues: [gold]}")));
        var lenient = ByLabelFilter.create("bl", new PluginParameters("bl", ByLabelFilter.TYPE,
                new YAMLMapper().readTree("{label: tier, validValues: [gold], allowsNoLabel: true}")));
        assertThat(filter(strict, context(List.of(gold, none)))).containsExactly(gold);
        assertThat(filter(lenient, context(List.of(gold, none)))).containsExactly(gold, none);
    }
}
