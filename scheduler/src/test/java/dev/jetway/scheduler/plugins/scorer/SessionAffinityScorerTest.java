package dev.jetway.scheduler.plugins.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.config.PluginParameters;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionAffinityScorerTest {

    private final List<Endpoint> eps = Fixtures.endpoints(3);

    @Test
    void encodedEndpointHeaderPointsBackToTheServingEndpoint() {
        var s = SessionAffinityScorer.create("s", PluginParameters.none(SessionAffinityScorer.TYPE));
        var ctx = Fixtures.context(eps);
        String token = s.responseHeaders(ctx, eps.get(2)).get("x-session-token");
        assertThat(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8)).isEqualTo("ep2");
        InferenceRequest next = InferenceRequest.builder("r2").model("m").prompt("x")
                .header("X-Session-Token", token).build();
        assertThat(Fixtures.score(s, Fixtures.context(next, eps))).containsExactly(0.0, 0.0, 1.0);
        InferenceRequest garbage = InferenceRequest.builder("r3").model("m").prompt("x")
                .header("x-session-token", "%%%").build();
        assertThat(Fixtures.score(s, Fixtures.context(garbage, eps))).containsOnly(0.0);
    }

    @Test
    void sessionIdStrategyRemembersUntilTheTtl() throws Exception {
        var s = SessionAffinityScorer.create("s", new PluginParameters("s", SessionAffinityScorer.TYPE,
                new YAMLMapper().readTree("{strategy: session_id, sessionIdConfig: {evictionTtlSeconds: 5}}")));
        InferenceRequest r = InferenceRequest.builder("r").model("m").prompt("x").header("x-session-id", "abc")
                .build();
        var ctx = Fixtures.context(r, eps);
        assertThat(Fixtures.score(s, ctx)).containsOnly(0.0);
        s.preRequest(ctx, null, eps.get(1));
        assertThat(Fixtures.score(s, Fixtures.context(r, eps))).containsExactly(0.0, 1.0, 0.0);
        Fixtures.CLOCK.addAndGet(6_000_000_000L);
        try {
            assertThat(Fixtures.score(s, Fixtures.context(r, eps))).as("expired").containsOnly(0.0);
        } finally {
            Fixtures.CLOCK.addAndGet(-6_000_000_000L);
        }
    }
}
