package dev.jetway.scheduler.flow;

import static dev.jetway.scheduler.flow.FlowFixtures.S;
import static dev.jetway.scheduler.flow.FlowFixtures.concurrency;
import static dev.jetway.scheduler.flow.FlowFixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.config.ConfigException;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.flow.FlowFixtures.Recorder;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** llm-d's {@code priority-holdback-policy}: lower bands dispatch only below a stepped, lower saturation. */
class PriorityHoldbackTest {

    private final Recorder rec = new Recorder();
    private final long now = 10 * S;
    private final List<Endpoint> pool = List.of(endpoint("ep0", 0, 0.0, now));

    @Test
    void rankDomainSpreadsTheCeilingsEvenlyHighestFirst() {
        PriorityHoldback p = new PriorityHoldback("h", 0.5, 1.0, PriorityHoldback.RANK);
        // three bands, whatever their values: 1.0, 0.75, 0.5
        assertThat(p.ceiling(10, 0, 3, 10, -1)).isEqualTo(1.0);
        assertThat(p.ceiling(0, 1, 3, 10, -1)).isEqualTo(0.75);
        assertThat(p.ceiling(-1, 2, 3, 10, -1)).isEqualTo(0.5);
        // four bands: steps of a third
        assertThat(p.ceiling(5, 1, 4, 10, -1)).isCloseTo(5 / 6.0, within(1e-12));
        // one band: the highest ceiling
        assertThat(p.ceiling(0, 0, 1, 0, 0)).isEqualTo(1.0);
    }

    @Test
    void valueDomainPlacesTheCeilingsByPriorityValue() {
        PriorityHoldback p = new PriorityHoldback("h", 0.4, 0.9, PriorityHoldback.VALUE);
        assertThat(p.ceiling(10, 0, 3, 10, -10)).isEqualTo(0.9);
        assertThat(p.ceiling(0, 1, 3, 10, -10)).isCloseTo(0.65, within(1e-12));
        assertThat(p.ceiling(-10, 2, 3, 10, -10)).isCloseTo(0.4, within(1e-12));
        // priorities 10, 9, -10: the 9 band sits near the top, not in the middle as by rank
        assertThat(p.ceiling(9, 1, 3, 10, -10)).isCloseTo(0.875, within(1e-12));
        assertThat(p.ceiling(3, 0, 1, 3, 3)).isEqualTo(0.9);
    }

    @Test
    void lowerBandsLeaveHeadroomThatOnlyHigherBandsUse() {
        // saturation = requests in transit / 100; ceilings 1.0 (critical), 0.75 (standard), 0.5 (batch)
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = new FlowController(new FlowControlConfig(true, 0, 0, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(),
                new PriorityHoldback("holdback", 0.5, 1.0, PriorityHoldback.RANK), concurrency(100), false, null));
        // one of each tier first, so the three bands exist (the fast path takes them at saturation 0..0.02)
        fc.submit(rec.request("critical-0", 10, "a"), pool, now);
        fc.submit(rec.request("standard-0", 0, "a"), pool, now);
        fc.submit(rec.request("batch-0", -1, "a"), pool, now);
        for (int i = 1; i <= 100; i++) {
            fc.submit(rec.request("batch-" + i, -1, "a"), pool, now);
        }
        assertThat(dispatchedByPriority()).containsEntry(-1L, 50L - 2); // up to saturation 0.5
        for (int i = 1; i <= 100; i++) {
            fc.submit(rec.request("standard-" + i, 0, "a"), pool, now);
        }
        assertThat(dispatchedByPriority()).containsEntry(0L, 1L + 25); // from 0.5 up to 0.75
        for (int i = 1; i <= 100; i++) {
            fc.submit(rec.request("critical-" + i, 10, "a"), pool, now);
        }
        assertThat(dispatchedByPriority()).containsEntry(10L, 1L + 25).containsEntry(-1L, 48L); // 0.75 up to 1.0
        assertThat(fc.snapshot().poolSaturation()).isEqualTo(1.0);
    }

    @Test
    void withTheStaticPolicyTheLowestBandFillsThePool() {
        FlowController fc = new FlowController(FlowFixtures.config(concurrency(100)));
        fc.submit(rec.request("critical-0", 10, "a"), pool, now);
        for (int i = 1; i <= 100; i++) {
            fc.submit(rec.request("batch-" + i, -1, "a"), pool, now);
        }
        assertThat(dispatchedByPriority()).containsEntry(-1L, 99L);
        FlowTicket late = fc.submit(rec.request("critical-1", 10, "a"), pool, now);
        assertThat(late.state()).isEqualTo(FlowTicket.State.QUEUED);
    }

    private Map<Long, Long> dispatchedByPriority() {
        return rec.dispatched.stream().collect(Collectors.groupingBy(t -> (long) t.request().priority(),
                Collectors.counting()));
    }

    @Test
    void configuredAsLlmDWritesIt() {
        Scheduler s = build("""
                plugins:
                - type: priority-holdback-policy
                  parameters: {minCeiling: 0.6, maxCeiling: 0.95, domain: value, shape: linear}
                flowControl:
                  usageLimitPolicyPluginRef: priority-holdback-policy
                """);
        assertThat(s.warnings()).isEmpty();
        assertThat(s.flowControl().usageLimit()).isEqualTo(new PriorityHoldback("priority-holdback-policy", 0.6,
                0.95, PriorityHoldback.VALUE));
        assertThat(s.describe()).contains("usage limit: priority-holdback-policy {minCeiling=0.6, maxCeiling=0.95, "
                + "domain=value, shape=linear}");
        // rank is the default domain
        assertThat(build("""
                plugins:
                - type: priority-holdback-policy
                  parameters: {minCeiling: 0.5}
                flowControl: {usageLimitPolicyPluginRef: priority-holdback-policy}
                """).flowControl().usageLimit()).isEqualTo(new PriorityHoldback("priority-holdback-policy", 0.5, 1.0,
                PriorityHoldback.RANK));
    }

    @Test
    void badParametersAreProblemsNamingTheField() {
        assertThat(problems("{}")).singleElement().asString().contains("minCeiling", "required");
        assertThat(problems("{minCeiling: 0.9, maxCeiling: 0.8}")).singleElement().asString()
                .contains("minCeiling", "must not exceed maxCeiling");
        assertThat(problems("{minCeiling: 0.5, domain: tier}")).singleElement().asString()
                .contains("domain", "rank", "value");
        assertThat(problems("{minCeiling: 0.5, shape: sigmoid}")).singleElement().asString()
                .contains("shape", "linear");
        assertThat(problems("{minCeiling: -0.1}")).singleElement().asString().contains("minCeiling");
    }

    private static List<String> problems(String parameters) {
        try {
            build("plugins:\n- type: priority-holdback-policy\n  parameters: " + parameters
                    + "\nflowControl: {usageLimitPolicyPluginRef: priority-holdback-policy}\n");
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the config to be refused");
    }

    private static Scheduler build(String body) {
        return Scheduler.fromConfig(EndpointPickerConfig.parse("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                featureGates: [flowControl]
                """ + body, "test.yaml"), Fixtures.env(1));
    }

}
