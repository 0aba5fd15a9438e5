package dev.jetway.scheduler.plugins.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.PdDecision;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.ConfigException;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DisaggProfileHandlerTest {

    private static final String PROFILES = """
            schedulingProfiles:
            - name: prefill
              plugins:
              - pluginRef: prefill-filter
              - pluginRef: prefix-cache-scorer
                weight: 2
              - pluginRef: queue-scorer
            - name: decode
              plugins:
              - pluginRef: decode-filter
              - pluginRef: prefix-cache-scorer
                weight: 2
              - pluginRef: queue-scorer
            """;

    private static String config(String handlerParams, String deciders) {
        return """
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: prefix-cache-scorer
                - type: queue-scorer
                - type: prefill-filter
                - type: decode-filter
                - type: max-score-picker
                - type: disagg-profile-handler
                """ + handlerParams + deciders + PROFILES;
    }

    private static final String PREFIX_DECIDER = """
            - type: prefix-based-pd-decider
              parameters:
                nonCachedTokens: 100
            """;

    private static Scheduler build(String yaml) {
        return Scheduler.fromConfig(EndpointPickerConfig.parse(yaml, "pd.yaml"), Fixtures.env(1));
    }

    private final Endpoint prefill1 = endpoint("p1", "prefill");
    private final Endpoint prefill2 = endpoint("p2", "prefill");
    private final Endpoint decode = endpoint("d1", "decode");
    private final List<Endpoint> pool = List.of(prefill1, prefill2, decode);

    private static Endpoint endpoint(String id, String role) {
        Endpoint e = new Endpoint(id, id + ":8000", Map.of(Endpoint.ROLE_LABEL, role));
        e.updateMetrics(EndpointMetrics.of(0, 0, 0, Fixtures.CLOCK.get()));
        return e;
    }

    private static InferenceRequest prompt(String id, int words) {
        return InferenceRequest.builder(id).model("m").prompt(("word" + id.charAt(0) + " ").repeat(words)).build();
    }

    private static final String DECIDES_BY_PREFIX = """
              parameters:
                deciders:
                  prefill: prefix-based-pd-decider
            """;

    @Test
    void aLongUncachedPromptIsSplitOntoAPrefillEndpoint() {
        Scheduler s = build(config(DECIDES_BY_PREFIX, PREFIX_DECIDER));
        SchedulingResult r = s.schedule(prompt("a1", 2000), pool);
        assertThat(r.primaryEndpoint()).isEqualTo(decode);
        PdDecision pd = r.pd();
        assertThat(pd.kind()).isEqualTo(PdDecision.Kind.PREFILL_DECODE);
        assertThat(pd.decider()).isEqualTo("prefix-based-pd-decider");
        assertThat(pd.prefillTargets()).hasSize(1).containsAnyOf(prefill1, prefill2); // max-score-picker: 1 endpoint
        assertThat(pd.reason()).contains("uncached tokens >= 100");
        assertThat(r.decision().toCompactString()).contains("prefill", "decode", "pd=prefill-decode");
    }

    @Test
    void aShortPromptOrOneTheDecodePickCachesStaysOnDecode() {
        Scheduler s = build(config(DECIDES_BY_PREFIX, PREFIX_DECIDER));
        SchedulingResult shortOne = s.schedule(prompt("b1", 10), pool);
        assertThat(shortOne.pd().kind()).isEqualTo(PdDecision.Kind.DECODE_ONLY);
        assertThat(shortOne.profiles()).containsOnlyKeys("decode"); // the prefill profile never ran
        assertThat(shortOne.decision().toCompactString()).contains("pd=decode-only");

        SchedulingResult first = s.schedule(prompt("c1", 2000), pool);
        s.preRequest(first, first.primaryEndpoint()); // the decode endpoint now holds the prompt
        s.onComplete(first, first.primaryEndpoint(), true, 1);
        SchedulingResult again = s.schedule(prompt("c2", 2000), pool);
        assertThat(again.pd().kind()).isEqualTo(PdDecision.Kind.DECODE_ONLY);
        assertThat(again.pd().reason()).contains("uncached tokens < 100");
    }

    @Test
    void withoutAPrefillEndpointTheRequestIsRefusedUnlessFallbackIsConfigured() {
        List<Endpoint> decodeOnly = List.of(decode);
        SchedulingResult refused = build(config(DECIDES_BY_PREFIX, PREFIX_DECIDER)).schedule(prompt("d1", 2000),
                decodeOnly);
        assertThat(refused.pd().kind()).isEqualTo(PdDecision.Kind.NO_PREFILL_ENDPOINT);
        assertThat(refused.pd().blocked()).isTrue();
        assertThat(refused.isEmpty()).isTrue();
        assertThat(refused.decision().toCompactString()).contains("no-prefill-endpoint", "refused");

        SchedulingResult served = build(config("""
                  parameters:
                    aggregatedFallback: true
                    deciders:
                      prefill: prefix-based-pd-decider
                """, PREFIX_DECIDER)).schedule(prompt("d2", 2000), decodeOnly);
        assertThat(served.pd().kind()).isEqualTo(PdDecision.Kind.NO_PREFILL_ENDPOINT);
        assertThat(served.primaryEndpoint()).isEqualTo(decode);
        assertThat(served.decision().toCompactString()).contains("serving aggregated");
    }

    @Test
    void anEndpointThatDoesBothIsNeverItsOwnPrefiller() {
        Endpoint both = endpoint("b", "both");
        SchedulingResult r = build(config(DECIDES_BY_PREFIX, PREFIX_DECIDER)).schedule(prompt("e1", 2000),
                List.of(both));
        assertThat(r.profiles().get("decode").primary()).isEqualTo(both);
        assertThat(r.pd().kind()).isEqualTo(PdDecision.Kind.NO_PREFILL_ENDPOINT);
        assertThat(r.isEmpty()).isTrue();
    }

    @Test
    void prefillFirstRunsBothProfilesAndTheDeciderStillDecides() {
        Scheduler s = build(config("""
                  parameters:
                    stageOrder: prefill-first
                    deciders:
                      prefill: prefix-based-pd-decider
                """, PREFIX_DECIDER));
        SchedulingResult shortOne = s.schedule(prompt("f1", 10), pool);
        assertThat(shortOne.profiles()).containsOnlyKeys("prefill", "decode");
        assertThat(shortOne.pd().kind()).isEqualTo(PdDecision.Kind.DECODE_ONLY);
        assertThat(shortOne.decision().profiles().getFirst().profile()).isEqualTo("prefill");
        SchedulingResult longOne = s.schedule(prompt("f2", 2000), pool);
        assertThat(longOne.pd().kind()).isEqualTo(PdDecision.Kind.PREFILL_DECODE);
        assertThat(longOne.primaryEndpoint()).isEqualTo(decode);
    }

    @Test
    void inFlightCountsFollowEachLeg() {
        Scheduler s = build(config(DECIDES_BY_PREFIX, PREFIX_DECIDER));
        SchedulingResult r = s.schedule(prompt("g1", 2000), pool);
        Endpoint p = r.pd().prefillEndpoint();
        s.preRequestPrefill(r, p);
        assertThat(p.inFlightRequests()).isEqualTo(1);
        assertThat(p.inFlightTokens()).isGreaterThan(100);
        s.onPrefillComplete(r, p, true);
        assertThat(p.inFlightRequests()).isZero();
        assertThat(p.inFlightTokens()).isZero();
        s.preRequest(r, decode);
        assertThat(decode.inFlightRequests()).isEqualTo(1);
        assertThat(decode.inFlightTokens()).as("no prompt is computed on decode").isZero();
        s.onComplete(r, decode, true, 5);
        assertThat(decode.inFlightRequests()).isZero();
        // a split served aggregated after all: the decode endpoint computes the prompt, and is charged for it
        SchedulingResult fellBack = s.schedule(prompt("m1", 2000), pool);
        s.fallBackToAggregated(fellBack);
        assertThat(fellBack.servedSplit()).isFalse();
        s.preRequest(fellBack, decode);
        assertThat(decode.inFlightTokens()).isGreaterThan(100);
        s.onComplete(fellBack, decode, false);
        assertThat(decode.inFlightTokens()).isZero();
        // a prefill leg never reported over is released with the request
        SchedulingResult abandoned = s.schedule(prompt("k2", 2000), pool);
        s.preRequestPrefill(abandoned, abandoned.pd().prefillEndpoint());
        s.onComplete(abandoned, decode, false);
        assertThat(abandoned.pd().prefillEndpoint().inFlightRequests()).isZero();
    }

    @Test
    void withoutADeciderEveryRequestIsSplitAndTheConfigSaysSo() {
        Scheduler s = build(config("", ""));
        assertThat(s.schedule(prompt("h1", 3), pool).pd().kind()).isEqualTo(PdDecision.Kind.PREFILL_DECODE);
        assertThat(s.warnings()).anySatisfy(w -> assertThat(w.toString()).contains("no deciders.prefill",
                "every request is split"));
    }

    @Test
    void alwaysDisaggSplitsEverything() {
        Scheduler s = build(config(DECIDES_BY_PREFIX.replace("prefix-based-pd-decider", "always"), """
                - type: always-disagg-pd-decider
                  name: always
                """));
        assertThat(s.schedule(prompt("i1", 1), pool).pd().kind()).isEqualTo(PdDecision.Kind.PREFILL_DECODE);
    }

    @Test
    void legacyPdProfileHandlerThresholdIsInCharacters() {
        Scheduler s = build(config("""
                  type: pd-profile-handler
                  parameters:
                    threshold: 1000
                    hashBlockSize: 64
                    decodeProfile: decode
                    prefillProfile: prefill
                """.replace("  type: pd-profile-handler\n", ""), "").replace("- type: disagg-profile-handler",
                "- type: pd-profile-handler"));
        assertThat(s.schedule(prompt("j1", 100), pool).pd().kind()).isEqualTo(PdDecision.Kind.DECODE_ONLY);
        assertThat(s.schedule(prompt("j2", 400), pool).pd().kind()).isEqualTo(PdDecision.Kind.PREFILL_DECODE);
        assertThat(s.warnings()).anySatisfy(w -> assertThat(w.toString()).contains("pd-profile-handler"));
    }

    @Test
    void configMistakesAreNamed() {
        assertThatThrownBy(() -> build(config("""
                  parameters:
                    deciders:
                      prefill: missing
                """, ""))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("deciders.prefill 'missing' names no plugin");
        assertThatThrownBy(() -> build(config("""
                  parameters:
                    deciders:
                      prefill: queue-scorer
                """, ""))).hasMessageContaining("'queue-scorer' is a queue-scorer, not a P/D decider");
        assertThatThrownBy(() -> build(config("""
                  parameters:
                    profiles:
                      prefill: pre
                """, ""))).hasMessageContaining("profile named 'pre', which is not configured");
        assertThatThrownBy(() -> build(config("""
                  parameters:
                    stageOrder: sideways
                """, ""))).hasMessageContaining("stageOrder");
        assertThatThrownBy(() -> build(config("""
                  parameters:
                    deciders:
                      encode: x
                """, ""))).hasMessageContaining("encode disaggregation is not built yet");
    }
}
