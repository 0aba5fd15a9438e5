package dev.jetway.scheduler.plugins.filter;

import static dev.jetway.scheduler.Fixtures.context;
import static dev.jetway.scheduler.Fixtures.endpoint;
import static dev.jetway.scheduler.Fixtures.filter;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import java.util.List;
import org.junit.jupiter.api.Test;

class UtilizationFilterTest {

    private static UtilizationFilter create(String yaml) throws Exception {
        return UtilizationFilter.create("u", new PluginParameters("u", UtilizationFilter.TYPE,
                new YAMLMapper().readTree(yaml)));
    }

    @Test
    void dropsEndpointsOverAnyLimit() throws Exception {
        Endpoint calm = endpoint("calm", 1, 2, 0.3);
        Endpoint queued = endpoint("queued", 9, 2, 0.3);
        Endpoint full = endpoint("full", 0, 2, 0.95);
        var f = create("""
                conditions:
                - {metric: waiting-queue, maxValue: 5}
                - {metric: kv-cache-utilization, maxValue: 0.9}
                """);
        assertThat(filter(f, context(List.of(calm, queued, full)))).containsExactly(calm);
    }

    @Test
    void keepsEveryoneWhenAllAreOverUnlessToldNotTo() throws Exception {
        List<Endpoint> busy = List.of(endpoint("a", 9, 0, 0), endpoint("b", 8, 0, 0));
        assertThat(filter(create("conditions: [{metric: waiting-queue, maxValue: 5}]"), context(busy)))
                .hasSize(2);
        assertThat(filter(create("{conditions: [{metric: waiting-queue, maxValue: 5}], fallbackOnEmpty: false}"),
                context(busy))).isEmpty();
    }
}
