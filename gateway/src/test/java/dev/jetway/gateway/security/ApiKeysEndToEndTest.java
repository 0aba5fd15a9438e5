package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys from a watched file, against real sockets: 401, 403, tenants, rotation without a restart. */
class ApiKeysEndToEndTest {

    private static final String TEAM_A = ApiKeys.generate();
    private static final String TEAM_B = ApiKeys.generate();

    @TempDir
    Path dir;
    private FakeModelServer backend;
    private GatewayHarness gw;
    private Path keys;

    @BeforeEach
    void start() throws Exception {
        backend = new FakeModelServer("a");
        keys = dir.resolve("keys.yaml");
        Files.writeString(keys, line(TEAM_A, "team-a", "[m]") + line(TEAM_B, "team-b", "[other-model]"));
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                + "tenantRateLimits: {tenants: {team-a: {tokensPerSecond: 1, burst: 20}}}\n"
                + "security: {apiKeys: {file: \"" + keys + "\"}}\n");
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
        backend.close();
    }

    private static String line(String key, String tenant, String models) {
        return "- {hash: \"" + ApiKeys.hash(key) + "\", tenant: " + tenant + ", models: " + models + "}\n";
    }

    private HttpResponse<String> complete(String key, String model, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return gw.http.send(b.POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                + "\",\"prompt\":\"hi\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void noKeyOrAWrongKeyIs401InOpenAisFormatAndNeverReachesAModelServer() throws Exception {
        HttpResponse<String> none = complete(null, "m");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer");
        assertThat(none.body()).startsWith("{\"error\":{\"message\":\"missing API key")
                .contains("\"type\":\"invalid_request_error\"").contains("\"code\":\"missing_api_key\"");
        String wrong = ApiKeys.generate();
        HttpResponse<String> bad = complete(wrong, "m");
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.body()).contains("\"code\":\"invalid_api_key\"").doesNotContain(wrong);
        assertThat(complete("", "m").statusCode()).isEqualTo(401);
        assertThat(backend.completionRequests.get()).isZero();
        assertThat(complete(TEAM_A, "m").statusCode()).isEqualTo(200);
        assertThat(backend.completionRequests.get()).isEqualTo(1);
    }

    @Test
    void aKeyForOtherModelsIs403WhetherTheModelExistsOrNot() throws Exception {
        HttpResponse<String> r = complete(TEAM_B, "m");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).startsWith("{\"error\":{\"message\":\"this API key may not use model m\"")
                .contains("\"code\":\"model_not_allowed\"");
        assertThat(complete(TEAM_B, "no-such-model").statusCode()).isEqualTo(403);
        assertThat(complete(TEAM_A, "no-such-model").statusCode()).isEqualTo(403);
        assertThat(backend.completionRequests.get()).isZero();
    }

    @Test
    void theKeysTenantIsTheFairnessIdWhateverTheHeaderClaims() throws Exception {
        // team-a's bucket holds 20 tokens: a 400-character prompt (about 100 tokens) empties it into debt, and the next
        // one waits, whatever flow its header names
        HttpRequest request = HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .header("content-type", "application/json").header("Authorization", "Bearer " + TEAM_A)
                .header("x-llm-d-inference-fairness-id", "someone-unlimited")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"" + "word ".repeat(80)
                        + "\"}")).build();
        assertThat(gw.http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> r = gw.http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).contains("tenant team-a is over its token-rate limit");
        // and the claim does not travel on to the model server either
        assertThat(backend.headers.getLast()).doesNotContainKey("x-llm-d-inference-fairness-id")
                .doesNotContainKey("authorization");
    }

    @Test
    void modelsListNeedsAKeyAndShowsOnlyItsModels() throws Exception {
        assertThat(gw.get(gw.uri("/v1/models")).statusCode()).isEqualTo(401);
        HttpResponse<String> a = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/models"))
                .header("Authorization", "Bearer " + TEAM_A).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(a.statusCode()).isEqualTo(200);
        assertThat(a.body()).contains("\"id\":\"m\"");
        HttpResponse<String> b = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/models"))
                .header("Authorization", "Bearer " + TEAM_B).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(b.body()).isEqualTo("{\"object\":\"list\",\"data\":[]}");
        // probes stay open
        assertThat(gw.get(gw.uri("/health")).statusCode()).isEqualTo(200);
    }

    @Test
    void rotatingTheFileTakesEffectWithoutARestartAndABrokenEditKeepsTheLastKeys() throws Exception {
        assertThat(complete(TEAM_A, "m").statusCode()).isEqualTo(200);
        String next = ApiKeys.generate();
        Files.writeString(keys, line(next, "team-a", "[m]"));
        await().atMost(Duration.ofSeconds(10)).until(() -> complete(next, "m").statusCode() == 200);
        assertThat(complete(TEAM_A, "m").statusCode()).isEqualTo(401);

        Files.writeString(keys, "- {hash: \"" + next + "\", tenant: team-a}\n"); // the key itself: refused
        Thread.sleep(3 * WatchedFile.INTERVAL.toMillis());
        assertThat(complete(next, "m").statusCode()).isEqualTo(200);
    }

    @Test
    void aKeysFileThatDoesNotLoadStopsTheStart() {
        assertThatThrownBy(() -> GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                + "security: {apiKeys: {file: \"" + dir.resolve("missing.yaml") + "\"}}\n"))
                .hasMessageContaining("security.apiKeys").hasMessageContaining("missing.yaml: file not found");
    }
}
